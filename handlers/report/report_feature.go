package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// Package report is the report to the Council (figures for a period, as
// HTML with inline SVG or Markdown, in either language), the challenges
// register and the outreach log with its follow-up reminders. It reads
// the other features through the small interfaces it declares (Meetings,
// Directory). Install adds it to a handlers core.

// Feature is the report, challenges and outreach of one Service, and the
// background work that follows a membership change: keeping the coverage
// challenge true and telling coordinators about a new member. That work
// runs after the joiner got their answer, on a bounded queue with one
// worker: a burst of joins (an import) never starts a goroutine each, and
// a full queue drops the work with an error in the log (the coverage
// challenge is brought up to date again whenever it is read).
type Feature struct {
	svc       *handlers.Service
	store     *storage.DB
	opts      handlers.Options
	tr        *handlers.Translator
	log       *slog.Logger
	now       func() time.Time
	meetings  Meetings
	directory Directory
	links     Options

	queue chan func(context.Context)
	stop  chan struct{}
	wg    sync.WaitGroup
}

// Meetings is what the report reads of the meetings feature: how a
// meeting's title reads to a call's reader.
type Meetings interface {
	Title(c *handlers.Call, m *storage.Meeting) string
}

// Directory is what the report reads of the directory: the Community's
// composition sentence, and the places and orders of government a
// coordinator types as an outreach target.
type Directory interface {
	StatsSentence(c *handlers.Call, st storage.Stats) string
	MatchJurisdiction(text string) (storage.Jurisdiction, bool)
	MatchOrder(text string) (storage.Order, bool)
}

// Deps are the features the report reads; both are needed.
type Deps struct {
	Meetings  Meetings
	Directory Directory
}

// Options are the report's settings.
type Options struct {
	// PublicURL is where people reach copbot serve ("https://host"): the
	// start of the signed links "report link" hands out. Empty: the link
	// is given as a path, to put after the server's address.
	PublicURL string
}

// call is a request to the report: the core's Call and the feature.
type call struct {
	*handlers.Call
	s *Feature
}

// reportQueue bounds the membership work waiting for the worker.
const reportQueue = 256

// reportWorkTimeout bounds one piece of that work (a slow platform).
const reportWorkTimeout = time.Minute

// Install adds the report, challenges and outreach to svc, with their
// follow-up job and the membership work, and starts the worker (Close
// stops it).
func Install(svc *handlers.Service, d Deps, o Options) *Feature {
	s := &Feature{svc: svc, store: svc.Store(), opts: svc.Options(), tr: svc.Translator(), log: svc.Log(), now: svc.Now,
		meetings: d.Meetings, directory: d.Directory, links: o,
		queue: make(chan func(context.Context), reportQueue), stop: make(chan struct{})}
	s.wg.Add(1)
	go s.work()
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{
			{Names: []string{"challenges", "challenge", "defis", "defi"}, Coordinator: true, HelpKey: "help_challenge", Run: s.run(s.cmdChallenge)},
			{Names: []string{"outreach", "invitations", "invitation", "demarches"}, Coordinator: true, HelpKey: "help_outreach", Run: s.run(s.cmdOutreach)},
			{Names: []string{"activities", "activity", "activites", "activite"}, Coordinator: true, HelpKey: "help_activity", Run: s.run(s.cmdActivity)},
			{Names: []string{"report", "rapport"}, Coordinator: true, HelpKey: "help_report", Run: s.run(s.cmdReport)},
		},
		Jobs: []scheduler.Source{scheduler.SourceFunc(s.outreachJobs)},
		Words: map[string][]string{
			"en": {"challenges", "challenge", "outreach", "report", "activities", "activity"},
			"fr": {"défis", "défi", "démarches", "rapport", "activités", "activité"},
			"":   {"invitations", "invitation"},
		},
		MembershipChanged: s.membershipChanged,
		Close:             s.close,
	})
	return s
}

func (s *Feature) call(c *handlers.Call) *call { return &call{Call: c, s: s} }

// langCall is a call with no user behind it, for texts in lang.
func (s *Feature) langCall(lang string) *call { return s.call(s.svc.LangCall(lang)) }

func (s *Feature) run(fn func(context.Context, *call) handlers.Reply) func(context.Context, *handlers.Call) handlers.Reply {
	return func(ctx context.Context, c *handlers.Call) handlers.Reply { return fn(ctx, s.call(c)) }
}

func (s *Feature) work() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case fn := <-s.queue:
			s.do(fn)
		}
	}
}

// do does one piece of queued work under reportWorkTimeout.
func (s *Feature) do(fn func(context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), reportWorkTimeout)
	defer cancel()
	fn(ctx)
}

// close stops the worker, then does the work still queued, so nothing
// accepted before Close is dropped and no two pieces run at once.
func (s *Feature) close() {
	close(s.stop)
	s.wg.Wait()
	for {
		select {
		case fn := <-s.queue:
			s.do(fn)
		default:
			return
		}
	}
}

func (s *Feature) enqueue(what string, fn func(context.Context)) {
	select {
	case s.queue <- fn:
	default:
		s.log.Error("membership work dropped: queue full", "work", what)
	}
}

// membershipChanged queues what follows a join, a departure or an import:
// the coverage challenge, and for a member who joined or came back
// (joined), a notice to the coordinators.
func (s *Feature) membershipChanged(joined *storage.Member) {
	s.enqueue("membership", func(ctx context.Context) {
		s.syncCoverage(ctx)
		if joined != nil {
			s.noticeCoordinators(ctx, joined)
		}
	})
}

// noticeCoordinators tells every coordinator, privately, that m joined and
// which invitations that accepted.
func (s *Feature) noticeCoordinators(ctx context.Context, m *storage.Member) {
	accepted, err := s.store.Invitations(ctx, storage.InvitationFilter{MemberID: m.ID})
	if err != nil {
		s.log.Error("new member notice: invitations", "member", m.ID, "err", err)
	}
	err = s.toCoordinators(ctx, func(lang string) handlers.Reply {
		c := s.langCall(lang)
		blocks := []handlers.Block{handlers.Section{Text: c.T("member_joined_notice", map[string]any{"Name": handlers.User(m.Name),
			"Organization": handlers.User(m.OrganizationIn(lang)), "Place": c.PlaceName(m.Jurisdiction)})}}
		for _, v := range accepted {
			blocks = append(blocks, handlers.Context{Text: c.T("outreach_accepted_notice", map[string]any{"ID": v.ID,
				"Target": c.invitationTarget(v), "Contact": c.Own(v.Contact)})})
		}
		return c.Reply("member_notice", handlers.Ephemeral, blocks...)
	})
	if err != nil {
		s.log.Error("new member notice", "member", m.ID, "err", err)
	}
}

// coordinators lists the coordinators: from config, then those added at
// run time.
func (s *Feature) coordinators(ctx context.Context) ([]storage.Identity, error) {
	stored, err := s.store.ListCoordinators(ctx)
	return append(append([]storage.Identity{}, s.opts.Coordinators...), stored...), err
}

// toCoordinators writes to each coordinator privately in their language
// (their member profile's, else the community default). It fails only
// when nobody could be reached.
func (s *Feature) toCoordinators(ctx context.Context, msg func(lang string) handlers.Reply) error {
	dm, ok := s.svc.Poster().(handlers.DirectMessenger)
	if !ok {
		return errors.New("no platform can write privately")
	}
	ids, err := s.coordinators(ctx)
	if err != nil {
		return err
	}
	var sent int
	var failed error
	for _, id := range ids {
		lang := s.opts.DefaultLanguage
		if m, err := s.store.MemberByIdentity(ctx, id); err == nil && m.Language != "" {
			lang = m.Language
		}
		if err := dm.Direct(ctx, id, msg(lang)); err != nil {
			failed = fmt.Errorf("%s: %w", id, err)
			continue
		}
		sent++
	}
	if sent == 0 {
		return failed
	}
	return nil
}

// outreachJobs lists the follow-up reminders of pending invitations:
// "outreach-follow-up:ID" at each follow-up not reminded yet.
func (s *Feature) outreachJobs(ctx context.Context) ([]scheduler.Job, error) {
	due, err := s.store.Invitations(ctx, storage.InvitationFilter{DueReminder: true})
	if err != nil {
		return nil, err
	}
	jobs := make([]scheduler.Job, 0, len(due))
	for _, v := range due {
		v := v
		jobs = append(jobs, scheduler.Job{Key: fmt.Sprintf("outreach-follow-up:%d", v.ID), Due: v.FollowUpAt,
			Run: func(ctx context.Context) error { return s.remindFollowUp(ctx, v) }})
	}
	return jobs, nil
}

// remindFollowUp claims the reminder (so it goes out once, even with two
// processes) then tells the coordinators. If nobody could be reached the
// claim is released and the scheduler retries.
func (s *Feature) remindFollowUp(ctx context.Context, v *storage.Invitation) error {
	ok, err := s.store.MarkInvitationReminded(ctx, v.ID, v.FollowUpAt)
	if err != nil || !ok {
		return err
	}
	err = s.toCoordinators(ctx, func(lang string) handlers.Reply {
		c := s.langCall(lang)
		return c.Reply("outreach_follow_up", handlers.Ephemeral,
			handlers.Section{Text: c.T("outreach_follow_up_notice", map[string]any{"ID": v.ID, "Target": c.invitationTarget(v)})},
			c.invitationBlock(v), handlers.Context{Text: c.T("outreach_hint", c.SlashData())})
	})
	if err != nil {
		due := v.FollowUpAt
		if _, rerr := s.store.UpdateInvitation(ctx, v.ID, storage.InvitationUpdate{FollowUpAt: &due}); rerr != nil {
			s.log.Error("follow-up reminder: release", "invitation", v.ID, "err", rerr)
		}
		return err
	}
	return nil
}
