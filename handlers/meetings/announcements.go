package meetings

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// A meeting's notices (added, moved, cancelled) go to the community
// channel through the delivery ledger. Each is recorded first, under a key
// that names it for ever (announcement:<id>), then posted; one that did
// not reach every platform is retried by the scheduler (announcementJobs)
// until it has, or a newer notice of the meeting supersedes it, or the
// meeting starts. A notice whose post a crash cut short is found in the
// channel by its key, or posted once, at the next start.

// announce records and posts a bilingual notice about m (notice is its
// message key, was the start before a move) and returns a block telling
// the coordinator whether it went out. The change itself is saved
// whatever happens here.
func (s *Feature) announce(ctx context.Context, c *call, m *storage.Meeting, notice string, was time.Time) handlers.Block {
	if s.svc.Poster() == nil {
		return handlers.Section{Text: c.T("meeting_announce_none", nil)}
	}
	a, err := s.store.AddAnnouncement(ctx, m.ID, notice, was)
	if err != nil {
		s.log.Error("recording a meeting announcement", "meeting", m.ID, "notice", notice, "err", err)
		return handlers.Section{Text: c.T("meeting_announce_unrecorded", nil)}
	}
	refs, err := s.postAnnouncement(ctx, a, m)
	if !handlers.Unsettled(err) {
		return handlers.Context{Text: c.T("meeting_announce_done", nil)}
	}
	s.svc.Replan() // its retry job
	if len(refs) > 0 {
		s.log.Warn("meeting announcement partly posted; retried", "meeting", m.ID, "notice", notice, "posted", len(refs), "err", err)
		return handlers.Section{Text: c.T("meeting_announce_partial", c.With(map[string]any{"Platforms": c.platformNames(refs), "ID": m.ID}))}
	}
	s.log.Warn("meeting announcement not posted yet; retried", "meeting", m.ID, "notice", notice, "err", err)
	return handlers.Section{Text: c.T("meeting_announce_failed", c.With(map[string]any{"ID": m.ID}))}
}

// postAnnouncement posts a about m where it is not yet, and records it as
// posted once nothing is left to retry (a copy left to a coordinator is
// theirs now).
func (s *Feature) postAnnouncement(ctx context.Context, a *storage.Announcement, m *storage.Meeting) ([]handlers.MessageRef, error) {
	refs, err := s.svc.PostOnce(ctx, storage.AnnouncementKey(a.ID), s.notice(m, a.Notice, a.Was))
	if handlers.Unsettled(err) {
		return refs, err
	}
	if _, ferr := s.store.FinishAnnouncement(ctx, a.ID, storage.AnnouncementPosted); ferr != nil {
		return refs, fmt.Errorf("recording announcement %d as posted: %w", a.ID, ferr)
	}
	return refs, err
}

// notice is the bilingual post of a notice about m, with the RSVP
// buttons while m is scheduled (added or moved, not cancelled).
func (s *Feature) notice(m *storage.Meeting, key string, was time.Time) handlers.Reply {
	part := func(lang string) handlers.Reply {
		lc := s.langCall(lang)
		text := lc.T(key, map[string]any{"ID": m.ID, "Title": lc.meetingTitle(m),
			"Was": lc.When(was, m.Location()), "When": lc.When(m.StartsAt, m.Location())})
		blocks := []handlers.Block{handlers.Section{Text: text}}
		if m.Status == storage.MeetingScheduled {
			blocks = append(blocks, lc.meetingTime(m))
		}
		return lc.Reply("meeting_notice", handlers.InChannel, blocks...)
	}
	post := handlers.Bilingual(part("en"), part("fr"))
	if m.Status == storage.MeetingScheduled {
		// Answer from the notice itself: people of a partner organization
		// in a shared Slack channel cannot type the slash command.
		post.Blocks = append(post.Blocks, s.bilingualButtons(m, false))
	}
	return post
}

// announcementJobs lists a retry of every notice not posted yet, a little
// after the attempt of the command that made it (handlers.RetryGrace), so
// that the two never race; at start-up that is at once.
func (s *Feature) announcementJobs(ctx context.Context) ([]scheduler.Job, error) {
	pending, err := s.store.PendingAnnouncements(ctx)
	if err != nil {
		return nil, err
	}
	jobs := make([]scheduler.Job, 0, len(pending))
	for _, a := range pending {
		id := a.ID
		jobs = append(jobs, scheduler.Job{Key: storage.AnnouncementKey(id), Due: a.CreatedAt.Add(handlers.RetryGrace),
			Run: func(ctx context.Context) error { return s.retryAnnouncement(ctx, id) }})
	}
	return jobs, nil
}

// retryAnnouncement posts a pending notice where it is missing, unless its
// meeting has started (a notice then is news to nobody): it is dropped.
func (s *Feature) retryAnnouncement(ctx context.Context, id int64) error {
	a, m, err := s.announcement(ctx, id)
	if err != nil || a.Status != storage.AnnouncementPending {
		return err
	}
	if !s.now().Before(m.StartsAt) {
		s.log.Warn("meeting announcement dropped: the meeting has started", "announcement", id, "meeting", m.ID)
		_, err := s.store.FinishAnnouncement(ctx, id, storage.AnnouncementDropped)
		return err
	}
	refs, err := s.postAnnouncement(ctx, a, m)
	if err == nil {
		s.log.Info("meeting announcement posted on retry", "announcement", id, "meeting", m.ID, "messages", len(refs))
	}
	return err
}

// announcement is notice id with its meeting.
func (s *Feature) announcement(ctx context.Context, id int64) (*storage.Announcement, *storage.Meeting, error) {
	a, err := s.store.AnnouncementByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.MeetingByID(ctx, a.MeetingID)
	return a, m, err
}

// postKinds are the meetings' keyed posts, for the delivery
// command: reminders and notices.
func (s *Feature) postKinds() []handlers.PostKind {
	return []handlers.PostKind{
		{Prefix: "reminder:", Describe: s.describeReminder, Repost: s.repostReminder},
		{Prefix: "announcement:", Describe: s.describeAnnouncement, Repost: s.repostAnnouncement},
	}
}

func keyID(key, prefix string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(key, prefix), 10, 64)
	return id, err == nil && strings.HasPrefix(key, prefix)
}

// describeAnnouncement names a notice: of which meeting.
func (s *Feature) describeAnnouncement(ctx context.Context, hc *handlers.Call, key string) string {
	id, ok := keyID(key, "announcement:")
	if !ok {
		return ""
	}
	_, m, err := s.announcement(ctx, id)
	if err != nil {
		return ""
	}
	c := s.call(hc)
	return c.T("meeting_announcement_named", map[string]any{"ID": m.ID, "Title": c.meetingTitle(m)})
}

// repostAnnouncement posts notice key again (a coordinator found it
// missing), unless its meeting has started.
func (s *Feature) repostAnnouncement(ctx context.Context, key string) error {
	id, ok := keyID(key, "announcement:")
	if !ok {
		return storage.ErrNotFound
	}
	a, m, err := s.announcement(ctx, id)
	if err != nil {
		return err
	}
	if !s.now().Before(m.StartsAt) {
		return storage.Errorf(storage.EINVALID, "delivery_error_too_late", map[string]any{"Key": key}, "meeting %d has started", m.ID)
	}
	_, err = s.svc.PostOnce(ctx, key, s.notice(m, a.Notice, a.Was))
	return err
}

// platformNames lists the platforms refs went to, each once, by name.
func (c *call) platformNames(refs []handlers.MessageRef) string {
	var names []string
	for _, r := range refs {
		if n := c.T("meeting_platform_"+string(r.Platform), nil); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}
