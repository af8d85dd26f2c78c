package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"copbot/scheduler"
	"copbot/storage"
)

// reportFeature holds the report's commands and the background work that
// follows a membership change: keeping the coverage challenge true and
// telling coordinators about a new member. That work runs after the
// joiner got their answer, on a bounded queue with one worker: a burst of
// joins (an import) never starts a goroutine each, and a full queue drops
// the work with an error in the log (the coverage challenge is brought up
// to date again whenever it is read).
type reportFeature struct {
	s     *Service
	queue chan func(context.Context)
	stop  chan struct{}
	wg    sync.WaitGroup
}

// reportQueue bounds the membership work waiting for the worker.
const reportQueue = 256

// reportWorkTimeout bounds one piece of that work (a slow platform).
const reportWorkTimeout = time.Minute

func (s *Service) registerReport() {
	f := &reportFeature{s: s, queue: make(chan func(context.Context), reportQueue), stop: make(chan struct{})}
	f.wg.Add(1)
	go f.work()
	s.Install(Parts{
		Commands: []*Command{
			{Names: []string{"challenges", "challenge", "defis", "defi"}, Coordinator: true, HelpKey: "help_challenge", Run: s.cmdChallenge},
			{Names: []string{"outreach", "invitations", "invitation", "demarches"}, Coordinator: true, HelpKey: "help_outreach", Run: s.cmdOutreach},
			{Names: []string{"report", "rapport"}, Coordinator: true, HelpKey: "help_report", Run: s.cmdReport},
		},
		Jobs:              []scheduler.Source{scheduler.SourceFunc(s.outreachJobs)},
		MembershipChanged: f.membershipChanged,
		Close:             f.close,
	})
}

func (f *reportFeature) work() {
	defer f.wg.Done()
	for {
		select {
		case <-f.stop:
			return
		case fn := <-f.queue:
			f.run(fn)
		}
	}
}

// run does one piece of queued work under reportWorkTimeout.
func (f *reportFeature) run(fn func(context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), reportWorkTimeout)
	defer cancel()
	fn(ctx)
}

// close stops the worker, then does the work still queued, so nothing
// accepted before Close is dropped and no two pieces run at once.
func (f *reportFeature) close() {
	close(f.stop)
	f.wg.Wait()
	for {
		select {
		case fn := <-f.queue:
			f.run(fn)
		default:
			return
		}
	}
}

func (f *reportFeature) enqueue(what string, fn func(context.Context)) {
	select {
	case f.queue <- fn:
	default:
		f.s.log.Error("membership work dropped: queue full", "work", what)
	}
}

// membershipChanged queues what follows a join, a departure or an import:
// the coverage challenge, and for a member who joined or came back
// (joined), a notice to the coordinators.
func (f *reportFeature) membershipChanged(joined *storage.Member) {
	s := f.s
	f.enqueue("membership", func(ctx context.Context) {
		s.syncCoverage(ctx)
		if joined != nil {
			s.noticeCoordinators(ctx, joined)
		}
	})
}

// noticeCoordinators tells every coordinator, privately, that m joined and
// which invitations that accepted.
func (s *Service) noticeCoordinators(ctx context.Context, m *storage.Member) {
	accepted, err := s.store.Invitations(ctx, storage.InvitationFilter{MemberID: m.ID})
	if err != nil {
		s.log.Error("new member notice: invitations", "member", m.ID, "err", err)
	}
	err = s.toCoordinators(ctx, func(lang string) Reply {
		c := s.LangCall(lang)
		blocks := []Block{Section{Text: c.T("member_joined_notice", map[string]any{"Name": m.Name,
			"Organization": m.Organization, "Place": c.PlaceName(m.Jurisdiction)})}}
		for _, v := range accepted {
			blocks = append(blocks, Context{Text: c.T("outreach_accepted_notice", map[string]any{"ID": v.ID,
				"Target": c.invitationTarget(v), "Contact": v.Contact})})
		}
		return c.Reply("member_notice", Ephemeral, blocks...)
	})
	if err != nil {
		s.log.Error("new member notice", "member", m.ID, "err", err)
	}
}

// coordinators lists the coordinators: from config, then those added at
// run time.
func (s *Service) coordinators(ctx context.Context) ([]storage.Identity, error) {
	stored, err := s.store.ListCoordinators(ctx)
	return append(append([]storage.Identity{}, s.opts.Coordinators...), stored...), err
}

// toCoordinators writes to each coordinator privately in their language
// (their member profile's, else the community default). It fails only
// when nobody could be reached.
func (s *Service) toCoordinators(ctx context.Context, msg func(lang string) Reply) error {
	dm, ok := s.Poster().(DirectMessenger)
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
func (s *Service) outreachJobs(ctx context.Context) ([]scheduler.Job, error) {
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
func (s *Service) remindFollowUp(ctx context.Context, v *storage.Invitation) error {
	ok, err := s.store.MarkInvitationReminded(ctx, v.ID, v.FollowUpAt)
	if err != nil || !ok {
		return err
	}
	err = s.toCoordinators(ctx, func(lang string) Reply {
		c := s.LangCall(lang)
		return c.Reply("outreach_follow_up", Ephemeral,
			Section{Text: c.T("outreach_follow_up_notice", map[string]any{"ID": v.ID, "Target": c.invitationTarget(v)})},
			c.invitationBlock(v), Context{Text: c.T("outreach_hint", c.SlashData())})
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
