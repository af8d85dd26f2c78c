#!/usr/bin/env bash
# Restore drill (issue 19): copbot serves under Litestream, which replicates
# its database to a file replica (deploy/litestream/litestream.yml, paths
# moved to a temporary folder); members join and vote through signed Slack
# requests; SIGTERM stops both; the replica is restored to a new file,
# checked (litestream -integrity-check full, then `copbot restore`, which
# runs PRAGMA integrity_check), and must export the same roster and polls
# as the original, byte for byte.
#
#   deploy/litestream/restore-drill.sh PATH/TO/copbot PATH/TO/litestream
# Needs python3 (a stand-in for Slack's Web API), curl and openssl.
set -euo pipefail
copbot=$(realpath "${1:?usage: restore-drill.sh COPBOT LITESTREAM}")
litestream=$(realpath "${2:?usage: restore-drill.sh COPBOT LITESTREAM}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # no ./copbot.toml here: only the drill's configuration counts
db=$work/copbot.db
secret=drill-signing-secret

# wait_for FILE PATTERN: until FILE holds PATTERN (60 s at most).
wait_for() {
  for _ in $(seq 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "restore drill: no '$2' in $1 after 60 s:" >&2; cat "$1" >&2 || true
  return 1
}

python3 "$here/fake-slack.py" "$work/fake.port" & pids+=($!)
wait_for "$work/fake.port" '[0-9]'
fake="http://127.0.0.1:$(cat "$work/fake.port")"

COPBOT_DB=$db "$copbot" demo >/dev/null # 81 members, a closed poll and an open one
cat >"$work/drill.toml" <<TOML
[storage]
path = "$db"
[community]
coordinators = ["slack:UCOORD"]
[http]
listen = "127.0.0.1:0"
[slack]
bot_token = "xoxb-drill"
signing_secret = "$secret"
api_url = "$fake/api"
channel = "CDRILL"
[log]
format = "json"
TOML
sed -e "s#/var/lib/copbot/copbot.db#$db#" -e "s#/var/backups/copbot/replica#$work/replica#" \
  "$here/litestream.yml" >"$work/litestream.yml"

"$litestream" replicate -config "$work/litestream.yml" \
  -exec "$copbot serve -config $work/drill.toml" >"$work/run.log" 2>&1 & lpid=$!
pids+=("$lpid")
wait_for "$work/run.log" '"msg":"serving"'
addr=$(grep -o '"msg":"serving","addr":"[^"]*"' "$work/run.log" | head -1 | sed 's/.*"addr":"\(.*\)"/\1/')

# slash USER TEXT: a slash command signed as Slack signs it.
slash() {
  local text body ts sig
  text=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")
  body="command=%2Fcop&text=$text&user_id=$1&user_name=$1&channel_id=CDRILL&team_id=T1&trigger_id=1.2.3&response_url=$fake/hooks/$1"
  ts=$(date +%s)
  sig=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
  curl -fsS -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$sig" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "http://$addr/slack/commands"
}
expect() { # expect ANSWER TEXT
  if ! grep -q "$2" <<<"$1"; then echo "restore drill: expected '$2' in: $1" >&2; exit 1; fi
}

for i in 1 2 3; do
  expect "$(slash "UDRILL$i" "join Drill Member $i | Ville de Gatineau | municipal | QC | Analyst | drill$i@example.ca")" "Welcome"
  expect "$(slash "UDRILL$i" "vote 2 $i")" "vote"
done
expect "$(slash UCOORD 'poll "Drill question?" "Yes" "No"')" "Poll #3"
expect "$(slash UDRILL1 'vote 3 1')" "vote"
expect "$(slash UDRILL2 'leave confirm')" "."

kill -TERM "$lpid"
if ! wait "$lpid"; then echo "restore drill: litestream (and copbot) did not stop cleanly:" >&2; cat "$work/run.log" >&2; exit 1; fi
grep -q '"msg":"stopped"' "$work/run.log" || { echo "restore drill: copbot did not stop gracefully" >&2; exit 1; }

"$litestream" restore -config "$work/litestream.yml" -integrity-check full -o "$work/restored-raw.db" "$db"
COPBOT_DB=$work/restored.db "$copbot" restore "$work/restored-raw.db"
for what in "export members" "export poll 1" "export poll 2" "export poll 3" "export calendar"; do
  # shellcheck disable=SC2086 # $what is words on purpose
  COPBOT_DB=$db "$copbot" $what >"$work/want.txt"
  # shellcheck disable=SC2086
  COPBOT_DB=$work/restored.db "$copbot" $what >"$work/got.txt"
  if ! cmp -s "$work/want.txt" "$work/got.txt"; then
    echo "restore drill: '$what' differs after the restore:" >&2
    diff "$work/want.txt" "$work/got.txt" >&2 || true
    exit 1
  fi
done
COPBOT_DB=$work/restored.db "$copbot" export members | grep -q "Drill Member 3"
echo "restore drill: ok ($(COPBOT_DB=$db "$copbot" export members | tail -n +2 | wc -l) roster rows and 3 polls identical after restore; integrity_check ok)"
