package privacy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// "my data" sends a person everything copbot holds about them
// (storage.PersonData), as a text file in their language attached to a
// private reply: the platform hands it over privately (a Slack upload to
// their direct messages, a Teams file card in their personal chat, a file
// the console writes), never in a channel.

// cmdMyData: my data / mes données.
func (s *Feature) cmdMyData(ctx context.Context, c *call) handlers.Reply {
	if !c.oneWord("data", "donnees", "information", "informations", "renseignements", "info") {
		return c.ErrorReply("mydata_usage", c.SlashData())
	}
	d, r, ok := s.held(ctx, c, "mydata_nothing")
	if !ok {
		return r
	}
	now := s.now().In(s.opts.Location)
	r = c.Reply("mydata", handlers.Ephemeral,
		handlers.Header{Text: c.T("mydata_title", nil)},
		handlers.Section{Text: c.myDataSummary(d)},
		handlers.Context{Text: c.T("mydata_file_hint", c.SlashData())})
	r.File = &handlers.File{Name: fmt.Sprintf("copbot-my-data-%s.%s.txt", now.Format(time.DateOnly), c.Lang),
		MIME: "text/plain; charset=utf-8", Data: []byte(c.myDataText(d, now))}
	return r
}

// myDataSummary counts what the file holds.
func (c *call) myDataSummary(d *storage.PersonData) string {
	lines := []string{c.T("mydata_intro", nil)}
	add := func(id string, n int) {
		if n > 0 {
			lines = append(lines, "• "+c.Count(id, n, nil))
		}
	}
	if d.Member != nil {
		lines = append(lines, "• "+c.T("mydata_has_profile", nil))
	}
	add("mydata_count_ids", len(d.Identities))
	add("mydata_count_ballots", len(d.Ballots))
	add("mydata_count_rsvps", len(d.RSVPs))
	add("mydata_count_history", len(d.History))
	add("mydata_count_audit", len(d.Audit))
	return strings.Join(lines, "\n")
}

// textDoc writes the file: a title, then sections of "Label: value" lines.
type textDoc struct {
	c *call
	b strings.Builder
}

func (t *textDoc) section(id string) { fmt.Fprintf(&t.b, "\n%s\n%s\n", t.c.T(id, nil), "----") }

func (t *textDoc) field(id, value string) {
	if value != "" {
		t.b.WriteString(handlers.FieldLine(t.c.Lang, t.c.T(id, nil), value) + "\n")
	}
}

func (t *textDoc) line(s string) { t.b.WriteString("• " + s + "\n") }

// myDataText is everything in d, readable, in the caller's language.
func (c *call) myDataText(d *storage.PersonData, now time.Time) string {
	t := &textDoc{c: c}
	loc := c.s.opts.Location
	day := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.In(loc).Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(&t.b, "%s\n%s\n", c.T("mydata_title", nil), c.T("mydata_made", map[string]any{"At": day(now)}))
	if m := d.Member; m != nil {
		t.section("mydata_section_profile")
		t.field("field_name", m.Name)
		t.field("field_organization", m.Organization)
		t.field("field_order", c.OrderName(m.Order))
		t.field("field_jurisdiction", c.PlaceName(m.Jurisdiction))
		t.field("field_title", m.Title)
		t.field("field_email", m.Email)
		t.field("field_language", m.Language)
		t.field("mydata_plain", fmt.Sprint(m.Plain))
		if d.Email.Set {
			t.field("mydata_email", fmt.Sprint(d.Email.On))
		}
		t.field("mydata_joined", day(m.JoinedAt))
		t.field("mydata_left", day(m.LeftAt))
		t.field("mydata_updated", day(m.UpdatedAt))
	}
	if len(d.Identities) > 0 {
		t.section("mydata_section_ids")
		for _, id := range d.Identities {
			t.line(id.String())
		}
	}
	if len(d.Coordinator) > 0 {
		t.section("mydata_section_coordinator")
		for _, r := range d.Coordinator {
			t.line(c.T("mydata_role", map[string]any{"ID": r.Identity.String(), "By": r.AddedBy, "At": day(r.AddedAt)}))
		}
	}
	c.writeActivity(t, d, day)
	if len(d.History) > 0 {
		t.section("mydata_section_history")
		for _, e := range d.History {
			key := "mydata_left_event"
			if e.Join {
				key = "mydata_joined_event"
			}
			t.line(c.T(key, map[string]any{"At": day(e.At), "Place": c.PlaceName(e.Jurisdiction), "Order": c.OrderName(e.Order)}))
		}
	}
	if len(d.Audit) > 0 {
		t.section("mydata_section_audit")
		for _, e := range d.Audit {
			t.line(strings.TrimSpace(fmt.Sprintf("%s — %s — %s %s %s", day(e.At), e.ActorName, e.Action, e.Target, e.DetailText())))
		}
	}
	return t.b.String()
}

// writeActivity writes the person's polls, votes, RSVPs, meetings and
// invitations.
func (c *call) writeActivity(t *textDoc, d *storage.PersonData, day func(time.Time) string) {
	if len(d.Ballots) > 0 {
		t.section("mydata_section_ballots")
		for _, b := range d.Ballots {
			key := "mydata_ballot"
			if b.Anonymous {
				key = "mydata_ballot_anonymous"
			}
			t.line(c.T(key, map[string]any{"ID": b.PollID, "Question": b.Question, "Choices": b.Choices, "At": day(b.VotedAt)}))
		}
		for _, v := range d.Votes {
			t.line(c.T("mydata_vote", map[string]any{"ID": v.PollID, "Option": v.Option, "At": day(v.VotedAt)}))
		}
	}
	if len(d.Options) > 0 {
		t.section("mydata_section_options")
		for _, o := range d.Options {
			t.line(c.T("mydata_option", map[string]any{"ID": o.PollID, "Option": o.Label}))
		}
	}
	if len(d.RSVPs) > 0 {
		t.section("mydata_section_rsvps")
		for _, r := range d.RSVPs {
			t.line(c.T("mydata_rsvp_"+string(r.Answer), map[string]any{"ID": r.MeetingID, "Title": c.Own(r.Title), "At": day(r.StartsAt)}))
		}
	}
	if len(d.Meetings)+len(d.Polls) > 0 {
		t.section("mydata_section_created")
		for _, m := range d.Meetings {
			t.line(c.T("mydata_meeting", map[string]any{"ID": m.ID, "Title": c.Own(m.Title), "At": day(m.CreatedAt)}))
		}
		for _, p := range d.Polls {
			t.line(c.T("mydata_poll", map[string]any{"ID": p.ID, "Question": c.Own(p.Question), "At": day(p.CreatedAt)}))
		}
	}
	if len(d.Invitations) > 0 {
		t.section("mydata_section_invitations")
		for _, v := range d.Invitations {
			t.line(c.T("mydata_invitation", map[string]any{"ID": v.ID, "Target": v.Target}))
		}
	}
}
