package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"copbot/scheduler"
	"copbot/storage"
)

// pollFeature is the per-Service state of polls.
type pollFeature struct {
	s   *Service
	upd *pollUpdater
}

// pollUpdateEvery is the most often a posted poll message is rewritten.
const pollUpdateEvery = time.Second

// pollResultStale is how long a claim to post a result is trusted before
// another runner takes over (the claimer probably crashed).
const pollResultStale = 2 * time.Minute

func (s *Service) registerPolls() {
	p := &pollFeature{s: s}
	p.upd = newPollUpdater(s, pollUpdateEvery)
	s.Install(Parts{
		Commands: []*Command{
			{Names: []string{"poll", "sondage"}, HelpKey: "help_poll", Run: p.cmdPoll},
			{Names: []string{"polls", "sondages"}, HelpKey: "help_polls", Run: p.cmdPolls},
			{Names: []string{"vote", "voter"}, HelpKey: "help_vote", Run: p.cmdVote},
		},
		Actions: map[string]ActionFunc{"poll_vote": p.actVote, "poll_ballot": p.actBallot, "poll_show": p.actShow,
			"poll_add_option": p.actAddOption},
		Forms: map[string]FormFunc{"poll_create": p.submitCreate, "poll_ballot": p.submitBallot,
			"poll_add_option": p.submitAddOption},
		Home:  []HomeSection{{Order: 30, Blocks: p.openBlocks}},
		Jobs:  []scheduler.Source{scheduler.SourceFunc(p.jobs)},
		Words: map[string][]string{"en": {"poll", "polls"}, "fr": {"sondage", "sondages", "voter"}, "": {"vote"}},
		Flush: p.upd.flush,
		Close: p.upd.Close,
	})
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
func (p *pollFeature) cmdPoll(ctx context.Context, c *Call) Reply {
	if len(c.Args) == 0 {
		if c.Coordinator {
			return p.createForm(c)
		}
		return p.cmdPolls(ctx, c)
	}
	if _, ok := parsePollID(c.Args[0]); ok {
		return p.show(ctx, c, c.Args[0])
	}
	sub, ok := pollSubcommands[Fold(c.Args[0])]
	if !ok {
		return p.create(ctx, c, c.Args)
	}
	if len(c.Args) < 2 {
		return c.ErrorReply("poll_error_id_missing", c.With(map[string]any{"Sub": c.Args[0]}))
	}
	id, rest := c.Args[1], c.Args[2:]
	switch sub {
	case "close":
		return p.close(ctx, c, id)
	case "reopen":
		return p.reopen(ctx, c, id, rest)
	case "edit":
		return p.edit(ctx, c, id, rest)
	case "delete":
		return p.delete(ctx, c, id)
	case "add-option":
		return p.addOption(ctx, c, id, rest)
	case "export":
		return p.export(ctx, c, id)
	}
	return p.show(ctx, c, id)
}

// create makes a poll from a command line.
func (p *pollFeature) create(ctx context.Context, c *Call, args []string) Reply {
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	a, perr := parsePollArgs(args, p.s.now(), p.s.opts.Location)
	if qerr := pollCheckQuotes(c.Req.Text, args, a); qerr != nil {
		perr = qerr // a badly quoted line is misread: say why first
	}
	if perr != nil {
		return c.ErrorReply(perr.Key, c.With(perr.Data))
	}
	return p.createAndPost(ctx, c, storage.PollInput{Question: a.Question, Options: a.Options,
		Language: c.Lang, MaxVotes: a.MaxVotes, Anonymous: a.Anonymous, AllowMemberOptions: a.OpenOptions,
		ClosesAt: a.ClosesAt, RemindBefore: a.Remind, MeetingID: a.MeetingID,
		Creator: c.Req.Identity, Channel: c.Req.ChannelID})
}

// createAndPost stores the poll and posts it. A poll that could not be
// posted anywhere, or whose posts could not be recorded, is deleted again,
// so that the creator, told it failed, finds nothing half made.
func (p *pollFeature) createAndPost(ctx context.Context, c *Call, in storage.PollInput) Reply {
	poll, err := p.s.store.CreatePoll(ctx, in)
	if err != nil {
		return c.Fail(err)
	}
	if err := p.post(ctx, poll); err != nil {
		p.s.log.Error("poll post", "poll", poll.ID, "err", err)
		if derr := p.s.store.DeletePoll(ctx, poll.ID); derr != nil {
			p.s.log.Error("poll post: undo", "poll", poll.ID, "err", derr)
		}
		return c.ErrorReply("poll_error_post_failed", nil)
	}
	if !poll.ClosesAt.IsZero() {
		p.s.Replan()
	}
	return c.Reply("poll_created", Ephemeral, Section{Text: c.T("poll_created", c.With(map[string]any{"ID": poll.ID}))})
}

// post publishes the card and records where it went. Copies that did post
// are kept when another platform failed. If a copy cannot be recorded, the
// caller deletes the poll; the copies already posted are first rewritten
// as withdrawn, as nothing would otherwise ever update them and their
// buttons would stay live on a poll that no longer exists.
func (p *pollFeature) post(ctx context.Context, poll *storage.Poll) error {
	refs, err := p.s.PostOnce(ctx, "poll:"+strconv.FormatInt(poll.ID, 10), p.s.pollCard(poll, p.s.pollView(ctx, poll)))
	if len(refs) == 0 {
		return fmt.Errorf("posted nowhere: %w", err)
	}
	if err != nil {
		p.s.log.Warn("poll post: some platforms failed", "poll", poll.ID, "err", err)
	}
	for _, r := range refs {
		m := storage.PollMessage{Platform: r.Platform, Channel: r.Channel, MessageID: r.ID}
		if err := p.s.store.AddPollMessage(ctx, poll.ID, m); err != nil {
			p.tombstone(ctx, poll.ID, "poll_withdrawn_card", pollMessages(refs))
			return fmt.Errorf("record post: %w", err)
		}
	}
	return nil
}

// pollMessages converts an adapter's refs to the stored form.
func pollMessages(refs []MessageRef) []storage.PollMessage {
	out := make([]storage.PollMessage, len(refs))
	for i, r := range refs {
		out[i] = storage.PollMessage{Platform: r.Platform, Channel: r.Channel, MessageID: r.ID}
	}
	return out
}

// cmdPolls lists the open polls.
func (p *pollFeature) cmdPolls(ctx context.Context, c *Call) Reply {
	blocks := p.openBlocks(ctx, c)
	if len(blocks) == 0 {
		return c.Reply("polls", Ephemeral, Section{Text: c.T("poll_none_open", nil)})
	}
	return c.Reply("polls", Ephemeral, blocks...)
}

// openBlocks lists the open polls (the polls command, the App Home).
func (p *pollFeature) openBlocks(ctx context.Context, c *Call) []Block {
	open := storage.PollOpen
	polls, err := p.s.store.FindPolls(ctx, storage.PollFilter{Status: &open, Limit: 20})
	if err != nil {
		p.s.log.Error("open polls", "err", err)
		return nil
	}
	if len(polls) == 0 {
		return nil
	}
	blocks := []Block{Header{Text: c.T("poll_open_header", nil)}}
	for _, poll := range polls {
		line := c.T("poll_list_item", map[string]any{"ID": poll.ID, "Question": c.Own(poll.Question),
			"Turnout": c.pollTurnout(p.s.pollView(ctx, poll))})
		if !poll.ClosesAt.IsZero() {
			line += "\n" + c.T("poll_closes", map[string]any{"When": c.pollWhen(poll.ClosesAt)})
		}
		blocks = append(blocks, Section{Text: line}, Actions{Buttons: []Button{{ActionID: "poll_show",
			Label: c.T("poll_show_button", nil), Value: fmt.Sprint(poll.ID)}}})
	}
	return blocks
}

// show answers `poll 7`.
func (p *pollFeature) show(ctx context.Context, c *Call, arg string) Reply {
	poll, r, ok := p.load(ctx, c, arg)
	if !ok {
		return r
	}
	return c.pollDetail(ctx, poll)
}

func (p *pollFeature) actShow(ctx context.Context, c *Call, value string) Reply {
	return p.show(ctx, c, value)
}

// load reads the poll named by arg, or the reply explaining why not.
func (p *pollFeature) load(ctx context.Context, c *Call, arg string) (*storage.Poll, Reply, bool) {
	id, ok := parsePollID(arg)
	if !ok {
		return nil, c.ErrorReply("poll_error_id", c.With(map[string]any{"Value": arg})), false
	}
	poll, err := p.s.store.PollByID(ctx, id)
	if err != nil {
		return nil, c.Fail(err), false
	}
	return poll, Reply{}, true
}
