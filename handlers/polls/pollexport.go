package polls

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// pollExportHeader is the CSV header. Each option has a "total" row; a
// poll that is not anonymous then has one "vote" row per member and
// option chosen. An anonymous poll has totals only: nothing else exists.
var pollExportHeader = []string{"kind", "poll_id", "question", "status", "option_number", "option",
	"votes", "percent", "voters", "member_id", "member_name", "organization", "jurisdiction", "voted_at"}

// ExportPoll writes poll id as CSV (UTF-8, header row, RFC 4180). Cells a
// spreadsheet would run as a formula are escaped.
func (f *Feature) ExportPoll(ctx context.Context, id int64, w io.Writer) error {
	p, err := f.store.PollByID(ctx, id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = handlers.GuardCell(c)
		}
		cw.Write(cells)
	}
	write(pollExportHeader...)
	base := []string{fmt.Sprint(p.ID), p.Question, string(p.Status)}
	for _, l := range pollLines(p) {
		write(append(append([]string{"total"}, base...), fmt.Sprint(l.Position), l.Label, fmt.Sprint(l.Votes),
			fmt.Sprint(l.Percent), fmt.Sprint(p.Voters), "", "", "", "", "")...)
	}
	if !p.Anonymous {
		if err := f.exportPollVotes(ctx, p, base, write); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (f *Feature) exportPollVotes(ctx context.Context, p *storage.Poll, base []string, write func(...string)) error {
	votes, err := f.store.ExportPollVotes(ctx, p.ID) // who chose what: audited
	if err != nil {
		return err
	}
	members := map[int64]*storage.Member{}
	for _, v := range votes {
		m, ok := members[v.MemberID]
		if !ok {
			if m, err = f.store.MemberByID(ctx, v.MemberID); err != nil {
				return err
			}
			members[v.MemberID] = m
		}
		o, _ := p.Option(v.OptionID)
		write(append(append([]string{"vote"}, base...), fmt.Sprint(o.Position), o.Label, "", "", "",
			fmt.Sprint(m.ID), m.Name, m.Organization, m.Jurisdiction, v.VotedAt.UTC().Format(time.RFC3339))...)
	}
	return nil
}
