package polls

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// Package polls is the theme polls: creating, voting (buttons, ballots,
// the vote command), live cards coalesced to one update a second, closing
// at the deadline exactly once, results, reminders to non-voters, exports.
// Install adds it to a handlers core.

// Feature is the polls of one Service.
type Feature struct {
	svc      *handlers.Service
	store    *storage.DB
	opts     handlers.Options
	tr       *handlers.Translator
	log      *slog.Logger
	now      func() time.Time
	meetings Meetings
	upd      *pollUpdater
	lines    voteLines // rendered lines of vote confirmations, see votelines.go
}

// Meetings is what polls read of the meetings feature: how the title of
// the meeting a poll decides the theme of reads to a call's reader.
type Meetings interface {
	Title(c *handlers.Call, m *storage.Meeting) string
}

// Deps are the other features polls use; a nil one is left out (a linked
// meeting is then named by its number only).
type Deps struct {
	Meetings Meetings
}

// call is a request to the polls: the core's Call and the feature.
type call struct {
	*handlers.Call
	s *Feature
}

// pollUpdateEvery is the most often a posted poll message is rewritten.
const pollUpdateEvery = time.Second

// pollResultStale is how long a claim to post a result is trusted before
// another runner takes over (the claimer probably crashed).
const pollResultStale = 2 * time.Minute

// Install adds the polls to svc: the poll, polls and vote commands, the
// vote buttons and ballot forms, the open polls on the App Home, and the
// closing, reminder and card retry jobs.
func Install(svc *handlers.Service, d Deps) *Feature {
	f := &Feature{svc: svc, store: svc.Store(), opts: svc.Options(), tr: svc.Translator(), log: svc.Log(),
		now: svc.Now, meetings: d.Meetings}
	f.upd = newPollUpdater(f, pollUpdateEvery)
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{
			{Names: []string{"poll", "sondage"}, HelpKey: "help_poll", Run: f.run(f.cmdPoll)},
			{Names: []string{"polls", "sondages"}, HelpKey: "help_polls", Run: f.run(f.cmdPolls)},
			{Names: []string{"vote", "voter"}, HelpKey: "help_vote", Run: f.run(f.cmdVote)},
			{Names: []string{"unvote", "retirer-vote"}, HelpKey: "help_unvote", Run: f.run(f.cmdUnvote)},
		},
		Actions: map[string]handlers.ActionFunc{"poll_vote": f.act(f.actVote), "poll_ballot": f.act(f.actBallot),
			"poll_show": f.act(f.actShow), "poll_add_option": f.act(f.actAddOption)},
		Forms: map[string]handlers.FormFunc{"poll_create": f.form(f.submitCreate), "poll_ballot": f.form(f.submitBallot),
			"poll_add_option": f.form(f.submitAddOption)},
		Home: []handlers.HomeSection{{Order: 30, Blocks: func(ctx context.Context, c *handlers.Call) []handlers.Block {
			return f.openBlocks(ctx, f.call(c))
		}}},
		Jobs:  []scheduler.Source{scheduler.SourceFunc(f.jobs), scheduler.SourceFunc(f.cardJobs)},
		Posts: f.postKinds(),
		Words: map[string][]string{"en": {"poll", "polls", "unvote"}, "fr": {"sondage", "sondages", "voter", "retirer-vote"},
			"": {"vote"}},
		Flush: f.upd.flush,
		Close: f.upd.Close,
	})
	return f
}

func (f *Feature) call(c *handlers.Call) *call { return &call{Call: c, s: f} }

// langCall is a call with no user behind it, for community posts in lang.
func (f *Feature) langCall(lang string) *call { return f.call(f.svc.LangCall(lang)) }

func (f *Feature) run(fn func(context.Context, *call) handlers.Reply) func(context.Context, *handlers.Call) handlers.Reply {
	return func(ctx context.Context, c *handlers.Call) handlers.Reply { return fn(ctx, f.call(c)) }
}

func (f *Feature) act(fn func(context.Context, *call, string) handlers.Reply) handlers.ActionFunc {
	return func(ctx context.Context, c *handlers.Call, v string) handlers.Reply { return fn(ctx, f.call(c), v) }
}

func (f *Feature) form(fn func(context.Context, *call, string, map[string]string) (handlers.Reply, map[string]string)) handlers.FormFunc {
	return func(ctx context.Context, c *handlers.Call, state string, v map[string]string) (handlers.Reply, map[string]string) {
		return fn(ctx, f.call(c), state, v)
	}
}

// pollSubcommands maps folded subcommand words, English and French.
var pollSubcommands = map[string]string{
	"close": "close", "fermer": "close", "clore": "close", "cloturer": "close",
	"reopen": "reopen", "rouvrir": "reopen", "reouvrir": "reopen",
	"edit": "edit", "modifier": "edit",
	"delete": "delete", "supprimer": "delete", "effacer": "delete",
	"add-option": "add-option", "add": "add-option", "ajouter-option": "add-option", "ajouter": "add-option",
	"export": "export", "exporter": "export",
	"show": "show", "results": "show", "afficher": "show", "resultats": "show",
}

// cmdPoll creates a poll (`poll "Question?" "A" "B" --flags`), shows one
// (`poll 7`) or manages one (`poll close 7`, …). With no arguments it
// returns the creation form to coordinators and the open polls to others.
func (f *Feature) cmdPoll(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		if c.Coordinator {
			return f.createForm(c)
		}
		return f.cmdPolls(ctx, c)
	}
	if _, ok := parsePollID(c.Args[0]); ok {
		return f.show(ctx, c, c.Args[0])
	}
	sub, ok := pollSubcommands[handlers.Fold(c.Args[0])]
	if !ok {
		return f.create(ctx, c, c.Args)
	}
	if len(c.Args) < 2 {
		return c.ErrorReply("poll_error_id_missing", c.With(map[string]any{"Sub": c.Args[0]}))
	}
	id, rest := c.Args[1], c.Args[2:]
	switch sub {
	case "close":
		return f.close(ctx, c, id)
	case "reopen":
		return f.reopen(ctx, c, id, rest)
	case "edit":
		return f.edit(ctx, c, id, rest)
	case "delete":
		return f.delete(ctx, c, id)
	case "add-option":
		return f.addOption(ctx, c, id, rest)
	case "export":
		return f.export(ctx, c, id)
	}
	return f.show(ctx, c, id)
}

// create makes a poll from a command line.
func (f *Feature) create(ctx context.Context, c *call, args []string) handlers.Reply {
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	a, perr := parsePollArgs(args, f.now(), f.opts.Location)
	if qerr := pollCheckQuotes(c.Req.Text, args, a); qerr != nil {
		perr = qerr // a badly quoted line is misread: say why first
	}
	if perr != nil {
		return c.ErrorReply(perr.Key, c.With(perr.Data))
	}
	return f.createAndPost(ctx, c, storage.PollInput{Question: a.Question, Options: a.Options,
		Language: c.Lang, MaxVotes: a.MaxVotes, Anonymous: a.Anonymous, AllowMemberOptions: a.OpenOptions,
		ClosesAt: a.ClosesAt, RemindBefore: a.Remind, MeetingID: a.MeetingID,
		Creator: c.Req.Identity, Channel: c.Req.ChannelID})
}

// cmdPolls lists the open polls.
func (f *Feature) cmdPolls(ctx context.Context, c *call) handlers.Reply {
	blocks := f.openBlocks(ctx, c)
	if len(blocks) == 0 {
		return c.Reply("polls", handlers.Ephemeral, handlers.Section{Text: c.T("poll_none_open", nil)})
	}
	return c.Reply("polls", handlers.Ephemeral, blocks...)
}

// openBlocks lists the open polls (the polls command, the App Home).
func (f *Feature) openBlocks(ctx context.Context, c *call) []handlers.Block {
	open := storage.PollOpen
	polls, err := f.store.FindPolls(ctx, storage.PollFilter{Status: &open, Limit: 20})
	if err != nil {
		f.log.Error("open polls", "err", err)
		return nil
	}
	if len(polls) == 0 {
		return nil
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("poll_open_header", nil)}}
	for _, poll := range polls {
		line := c.T("poll_list_item", map[string]any{"ID": poll.ID, "Question": c.Own(poll.Question),
			"Turnout": c.pollTurnout(f.pollView(ctx, poll))})
		if !poll.ClosesAt.IsZero() {
			line += "\n" + c.T("poll_closes", map[string]any{"When": c.pollWhen(poll.ClosesAt)})
		}
		blocks = append(blocks, handlers.Section{Text: line}, handlers.Actions{Buttons: []handlers.Button{{ActionID: "poll_show",
			Label: c.T("poll_show_button", nil), Value: fmt.Sprint(poll.ID)}}})
	}
	return blocks
}

// show answers `poll 7`.
func (f *Feature) show(ctx context.Context, c *call, arg string) handlers.Reply {
	poll, r, ok := f.load(ctx, c, arg)
	if !ok {
		return r
	}
	return c.pollDetail(ctx, poll)
}

func (f *Feature) actShow(ctx context.Context, c *call, value string) handlers.Reply {
	return f.show(ctx, c, value)
}

// load reads the poll named by arg, or the reply explaining why not.
func (f *Feature) load(ctx context.Context, c *call, arg string) (*storage.Poll, handlers.Reply, bool) {
	id, ok := parsePollID(arg)
	if !ok {
		return nil, c.ErrorReply("poll_error_id", c.With(map[string]any{"Value": arg})), false
	}
	poll, err := f.store.PollByID(ctx, id)
	if err != nil {
		return nil, c.Fail(err), false
	}
	return poll, handlers.Reply{}, true
}
