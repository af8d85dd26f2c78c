package email

import (
	"context"
	"fmt"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// Status is the email part of `meeting status` for m: how many invitations
// and reminders went out, wait, or failed, and who did not get theirs and
// why (coordinators only run it: addresses are shown).
func (f *Feature) Status(ctx context.Context, c *handlers.Call, m *storage.Meeting) ([]string, error) {
	if !f.Enabled() {
		return nil, nil
	}
	ds, err := f.store.DeliveriesWithPrefix(ctx, Platform, fmt.Sprintf("email:meeting:%d:", m.ID))
	if err != nil {
		return nil, err
	}
	rs, err := f.store.RemindersOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		more, err := f.store.DeliveriesWithPrefix(ctx, Platform, fmt.Sprintf("email:reminder:%d:", r.ID))
		if err != nil {
			return nil, err
		}
		ds = append(ds, more...)
	}
	lines := []string{c.T("email_status_header", nil)}
	if len(ds) == 0 {
		return append(lines, c.T("email_status_none", nil)), nil
	}
	var sent, waiting int
	var failed []*storage.Delivery
	for _, d := range ds {
		switch {
		case d.Status == storage.DeliverySent:
			sent++
		case d.Status == storage.DeliveryFailed:
			failed = append(failed, d)
		default:
			waiting++
		}
	}
	lines = append(lines, c.T("email_status_counts", map[string]any{"Sent": sent, "Waiting": waiting, "Failed": len(failed)}))
	for _, d := range failed {
		who := fmt.Sprint(keyMember(d.Key))
		if ms, _, err := f.store.FindMembers(ctx, storage.MemberFilter{ID: new(keyMember(d.Key)), IncludeLeft: true}); err == nil && len(ms) == 1 {
			who = ms[0].Name + " <" + ms[0].Email + ">"
		}
		why := d.LastError
		if why == "" {
			why = c.T("email_status_code_"+d.ErrorCode, nil)
		}
		key := "email_status_failed_retrying"
		if gaveUp(d) {
			key = "email_status_failed_given_up"
		}
		lines = append(lines, "    "+c.T(key, map[string]any{"Who": handlers.User(who), "What": c.T("email_status_kind_"+strings.Split(d.Key, ":")[1], nil),
			"Why": why, "Attempts": d.Attempts}))
	}
	return lines, nil
}
