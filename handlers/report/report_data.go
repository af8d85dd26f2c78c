package report

import (
	"context"
	"sort"
	"time"

	"copbot/storage"
)

// Period is the period a report covers: From and To are calendar
// dates in the community zone, both included. NextFrom and NextTo bound
// "the next period" whose plans the report lists; zero means the default
// (see Next).
type Period struct {
	From, To         time.Time
	NextFrom, NextTo time.Time
}

// nextPeriodMonths is how long the next period lasts by default: a
// year, as in the Council's report.
const nextPeriodMonths = 12

// Next is the next period: NextFrom..NextTo as given, else from the day
// after To, for twelve months; a next period given only by its end starts
// the day after To, one given only by its start lasts twelve months.
func (p Period) Next() Period {
	n := Period{From: p.NextFrom, To: p.NextTo}
	if n.From.IsZero() {
		n.From = p.To.AddDate(0, 0, 1)
	}
	if n.To.IsZero() {
		n.To = n.From.AddDate(0, nextPeriodMonths, -1)
	}
	return n
}

// toDate reports whether the period is not over on today (a calendar
// date): its figures are then "to date".
func (p Period) toDate(today time.Time) bool { return !p.To.Before(today) }

// start and end are the instants bounding the period: From's midnight and
// the midnight after To, in loc.
func (p Period) start(loc *time.Location) time.Time {
	return time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, loc)
}

func (p Period) end(loc *time.Location) time.Time {
	return time.Date(p.To.Year(), p.To.Month(), p.To.Day()+1, 0, 0, 0, 0, loc)
}

// reportData is every fact of the report, computed for a period; the
// renderers (Markdown, HTML, SVG) only format it.
type reportData struct {
	Period      Period
	Loc         *time.Location
	Stats       storage.Stats // as of the end of the period
	Uncovered   []storage.Jurisdiction
	Joins       int
	Departures  int
	Meetings    []reportMeeting    // started in the period, in start order
	Upcoming    []*storage.Meeting // of the period, not started yet: planned
	Today       time.Time          // the calendar date the report is made on
	Polls       []*storage.Poll    // closed in the period, oldest first
	Planned     []*storage.Meeting
	Candidates  []string        // themes proposed in open polls, most voted first
	OpenPolls   []*storage.Poll // the open polls the candidates come from
	Outreach    []*storage.Invitation
	Challenges  []*storage.Challenge
	Activities  []*storage.Activity // planned now
	ActsDone    []*storage.Activity // done in the period
	Timeline    []timelinePoint
	MeetingByID map[int64]*storage.Meeting
}

type reportMeeting struct {
	Meeting *storage.Meeting
	Record  *storage.MeetingRecord
}

// timelinePoint is the membership by order at the end of a month.
type timelinePoint struct {
	Month   time.Time // first day of the month
	ByOrder map[storage.Order]int
}

// buildReport gathers the report's facts from storage.
func (s *Feature) buildReport(ctx context.Context, p Period) (*reportData, error) {
	loc := s.opts.Location
	start, end := p.start(loc), p.end(loc)
	s.syncCoverage(ctx)
	now := s.now().In(loc)
	d := &reportData{Period: p, Loc: loc, MeetingByID: map[int64]*storage.Meeting{},
		Today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)}
	events, err := s.store.MembershipHistory(ctx, end)
	if err != nil {
		return nil, err
	}
	d.Stats = storage.StatsFromHistory(events)
	d.Uncovered = storage.CoverageFromStats(d.Stats).Uncovered
	d.Joins, d.Departures = countMoves(events, start)
	d.Timeline = timeline(events, start, end, loc)
	for _, step := range []func(context.Context, *reportData, time.Time, time.Time) error{
		s.reportMeetings, s.reportPolls, s.reportPlans, s.reportChallenges} {
		if err := step(ctx, d, start, end); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// countMoves counts joins and departures at or after start (events end
// with the period). A move between organizations is neither: the member
// stays. Events come in time order.
func countMoves(events []storage.MembershipEvent, start time.Time) (joins, departures int) {
	for i, e := range events {
		if e.At.Before(start) || isMove(events, i) {
			continue
		}
		if e.Join {
			joins++
		} else {
			departures++
		}
	}
	return joins, departures
}

// isMove reports whether events[i] is half of a move: a departure and a
// join of the same member at the same instant.
func isMove(events []storage.MembershipEvent, i int) bool {
	e := events[i]
	for _, j := range []int{i - 1, i + 1} {
		if j >= 0 && j < len(events) && events[j].MemberID == e.MemberID && events[j].At.Equal(e.At) && events[j].Join != e.Join {
			return true
		}
	}
	return false
}

// timeline is the membership by order at the end of each month from the
// month of the first event (at most a year before the period ends) to the
// period's last month. Pure: no I/O.
func timeline(events []storage.MembershipEvent, start, end time.Time, loc *time.Location) []timelinePoint {
	last := end.Add(-time.Second).In(loc)
	first := time.Date(last.Year(), last.Month()-11, 1, 0, 0, 0, 0, loc)
	if len(events) > 0 {
		if e := events[0].At.In(loc); e.After(first) {
			first = time.Date(e.Year(), e.Month(), 1, 0, 0, 0, 0, loc)
		}
	}
	if s := start.In(loc); s.Before(first) {
		first = time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, loc)
	}
	var out []timelinePoint
	i := 0
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		monthEnd := m.AddDate(0, 1, 0)
		if monthEnd.After(end) {
			monthEnd = end
		}
		for i < len(events) && events[i].At.Before(monthEnd) {
			i++
		}
		st := storage.StatsFromHistory(events[:i])
		out = append(out, timelinePoint{Month: m, ByOrder: st.PeopleByOrder})
	}
	return out
}

func (s *Feature) reportMeetings(ctx context.Context, d *reportData, start, end time.Time) error {
	ms, rs, err := s.store.MeetingRecords(ctx, start, end)
	if err != nil {
		return err
	}
	for i, m := range ms {
		switch {
		case m.StartsAt.Before(s.now()) || rs[i].Recorded:
			d.Meetings = append(d.Meetings, reportMeeting{Meeting: m, Record: rs[i]})
		case m.Status == storage.MeetingScheduled:
			d.Upcoming = append(d.Upcoming, m)
		}
		d.MeetingByID[m.ID] = m
	}
	return nil
}

func (s *Feature) reportPolls(ctx context.Context, d *reportData, start, end time.Time) error {
	polls, err := s.store.FindPolls(ctx, storage.PollFilter{})
	if err != nil {
		return err
	}
	votes := map[string]int{}
	for i := len(polls) - 1; i >= 0; i-- { // oldest first
		p := polls[i]
		switch {
		case !p.Open() && !p.ClosedAt.Before(start) && p.ClosedAt.Before(end):
			d.Polls = append(d.Polls, p)
		case p.Open():
			d.OpenPolls = append(d.OpenPolls, p)
			for _, o := range p.Options {
				votes[o.Label] += o.Votes
			}
		}
	}
	for label := range votes {
		d.Candidates = append(d.Candidates, label)
	}
	sort.Slice(d.Candidates, func(i, j int) bool {
		a, b := d.Candidates[i], d.Candidates[j]
		return votes[a] > votes[b] || (votes[a] == votes[b] && a < b)
	})
	return nil
}

// reportPlans reads the meetings planned in the next period and the
// outreach under way.
func (s *Feature) reportPlans(ctx context.Context, d *reportData, start, end time.Time) error {
	next := d.Period.Next()
	ms, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: next.start(d.Loc), Before: next.end(d.Loc),
		Status: storage.MeetingScheduled})
	if err != nil {
		return err
	}
	d.Planned = ms
	for _, m := range ms {
		d.MeetingByID[m.ID] = m
	}
	if d.Outreach, err = s.store.Invitations(ctx, storage.InvitationFilter{Status: storage.InvitationPending}); err != nil {
		return err
	}
	as, err := s.store.Activities(ctx)
	for _, a := range as {
		switch {
		case !a.Done:
			d.Activities = append(d.Activities, a)
		case !a.DoneAt.Before(start) && a.DoneAt.Before(end):
			d.ActsDone = append(d.ActsDone, a)
		}
	}
	return err
}

// reportChallenges reads the challenges open during the period. The
// coverage challenge names the jurisdictions uncovered at the period's end.
func (s *Feature) reportChallenges(ctx context.Context, d *reportData, start, end time.Time) error {
	cs, err := s.store.Challenges(ctx, start, end.Add(-time.Second))
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Kind == storage.ChallengeCoverage {
			cp := *c
			cp.Jurisdictions = nil
			for _, j := range d.Uncovered {
				cp.Jurisdictions = append(cp.Jurisdictions, j.Code)
			}
			if len(cp.Jurisdictions) == 0 {
				continue
			}
			c = &cp
		}
		d.Challenges = append(d.Challenges, c)
	}
	return nil
}

// winners are the most voted options of a poll (several on a tie), none
// when nobody voted.
func winners(p *storage.Poll) []string {
	best := 0
	for _, o := range p.Options {
		best = max(best, o.Votes)
	}
	var out []string
	for _, o := range p.Options {
		if best > 0 && o.Votes == best {
			out = append(out, o.Label)
		}
	}
	return out
}
