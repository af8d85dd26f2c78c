// Bolt for JavaScript beside copbot in the load tool (go run ./bot/loadtest).
// It answers what the load tool sends copbot and its minimal Go handler:
//
//   POST /slack/commands     `/cop who <jurisdiction>`: the members of that
//                            jurisdiction, read from SQLite (better-sqlite3),
//                            in the slash command's ack
//   POST /slack/interactions block_actions on a poll's vote buttons: the vote
//                            upserted and committed, then the ack, then a
//                            confirmation posted to the click's response_url
//                            with Bolt's respond()
//   GET  /healthz            ok, once listening
//
// Bolt's HTTP receiver checks each request's Slack signature with the
// signing secret and answers 401 when it does not match.
//
// Environment: BOLT_LISTEN (host:port), BOLT_DB (the SQLite file, with a
// members table as copbot's), SLACK_SIGNING_SECRET; BOLT_DEBUG=1 logs Bolt's
// debug lines. NODE_EXTRA_CA_CERTS
// makes Node trust the TLS certificate of the response_url's host.
'use strict';

const { App, LogLevel } = require('@slack/bolt');
const Database = require('better-sqlite3');

const listen = process.env.BOLT_LISTEN || '127.0.0.1:3000';
const dbPath = process.env.BOLT_DB;
const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!dbPath || !signingSecret) {
  console.error('app.js: BOLT_DB and SLACK_SIGNING_SECRET are required');
  process.exit(2);
}

// The same pragmas as copbot's and the minimal handler's DSN.
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS bolt_votes (user TEXT PRIMARY KEY, value TEXT NOT NULL)');
const members = db.prepare(`SELECT name FROM members
  WHERE jurisdiction = ? AND left_at IS NULL ORDER BY name_key LIMIT 20`).pluck();
const vote = db.prepare(`INSERT INTO bolt_votes (user, value) VALUES (?, ?)
  ON CONFLICT (user) DO UPDATE SET value = excluded.value`);

const jurisdictions = {
  'alberta': 'AB', 'british columbia': 'BC', 'manitoba': 'MB', 'new brunswick': 'NB',
  'newfoundland and labrador': 'NL', 'nova scotia': 'NS', 'northwest territories': 'NT',
  'nunavut': 'NU', 'ontario': 'ON', 'prince edward island': 'PE', 'quebec': 'QC',
  'saskatchewan': 'SK', 'yukon': 'YT',
};

const app = new App({
  signingSecret,
  // One workspace whose bot is known: with botId and botUserId given,
  // Bolt calls no auth.test, and nothing here calls the Web API.
  token: 'xoxb-loadtest',
  botId: 'B0BOLT',
  botUserId: 'U0BOLT',
  endpoints: ['/slack/commands', '/slack/interactions'],
  customRoutes: [{
    path: '/healthz',
    method: ['GET'],
    handler: (req, res) => { res.writeHead(200); res.end('ok\n'); },
  }],
  logLevel: process.env.BOLT_DEBUG ? LogLevel.DEBUG : LogLevel.ERROR,
});

app.command('/cop', async ({ command, ack }) => {
  const [sub, ...rest] = command.text.trim().split(/\s+/);
  if (sub.toLowerCase() !== 'who') {
    await ack({ response_type: 'ephemeral', text: 'Try `/cop who Yukon`.' });
    return;
  }
  const where = rest.join(' ');
  const code = jurisdictions[where.toLowerCase()];
  if (!code) {
    await ack({ response_type: 'ephemeral', text: `No province or territory is named "${where}".` });
    return;
  }
  const names = members.all(code);
  const text = names.length ? names.join('\n') : `Nobody represents ${where} yet.`;
  await ack({ response_type: 'ephemeral', text });
});

app.action({ type: 'block_actions', action_id: /^poll_vote/ }, async ({ body, action, ack, respond }) => {
  // better-sqlite3 is synchronous: the vote is committed before the ack.
  vote.run(body.user.id, action.value);
  await ack();
  try {
    await respond({ response_type: 'ephemeral', replace_original: false,
      text: `Your vote for "${action.text.text}" is recorded.` });
  } catch (err) {
    console.error('app.js: confirmation:', err.message);
  }
});

app.error(async (err) => { console.error('app.js:', err.message || err); });

(async () => {
  const i = listen.lastIndexOf(':');
  await app.start({ host: listen.slice(0, i), port: Number(listen.slice(i + 1)) });
})().catch((err) => {
  console.error('app.js: start:', err);
  process.exit(1);
});

// SIGINT from the load tool ends the app as an operator would.
process.on('SIGINT', async () => {
  await app.stop();
  db.close();
  process.exit(0);
});
