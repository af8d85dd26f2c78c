package email

import (
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// recordTimeout bounds the ledger write after a send, which runs even if
// the job is being stopped: the outcome is worth keeping.
const recordTimeout = 5 * time.Second

// The kinds of meeting message.
type inviteKind int

const (
	inviteNew inviteKind = iota
	inviteUpdate
	inviteCancel
)

// compose writes a message to r in their language, or in both (English
// first, "Le français suit" on top) when it is unknown. subject and body
// write one language's part with c.
func (f *Feature) compose(r recipient, kind string, subject func(c *handlers.Call) string,
	body func(c *handlers.Call) []handlers.Block) Message {
	u := f.unsubscribe(r)
	msg := Message{To: Address{Name: r.m.Name, Addr: r.m.Email}, Unsubscribe: u}
	if lang := r.m.Language; lang == "en" || lang == "fr" {
		c := f.svc.LangCall(lang)
		msg.Lang, msg.Subject = lang, handlers.Unmark(subject(c))
		msg.Body = handlers.Reply{Kind: kind, Lang: lang, Blocks: append(body(c), f.footer(c, u))}
		return msg
	}
	en, fr := f.svc.LangCall("en"), f.svc.LangCall("fr")
	msg.Subject = handlers.Unmark(subject(en) + " / " + subject(fr))
	blocks := []handlers.Block{handlers.Context{Text: fr.T("email_french_follows", nil)}}
	blocks = append(append(blocks, body(en)...), f.footer(en, u), handlers.Divider{})
	blocks = append(append(blocks, body(fr)...), f.footer(fr, u))
	msg.Body = handlers.Reply{Kind: kind, Lang: "en+fr", Blocks: blocks}
	return msg
}

// footer says why the person gets the message and how to stop it.
func (f *Feature) footer(c *handlers.Call, u Unsubscribe) handlers.Block {
	if u.URL != "" {
		return handlers.Context{Text: c.T("email_footer", c.With(map[string]any{"URL": u.URL}))}
	}
	return handlers.Context{Text: c.T("email_footer_nolink", c.SlashData())}
}

var inviteKeys = map[inviteKind][2]string{
	inviteNew:    {"email_subject_invite", "email_invite_header"},
	inviteUpdate: {"email_subject_update", "email_update_header"},
	inviteCancel: {"email_subject_cancel", "email_cancel_header"},
}

// meetingMessage is m's invitation, update or cancellation to r, with the
// text/calendar part a calendar acts on.
func (f *Feature) meetingMessage(r recipient, m *storage.Meeting, kind inviteKind) Message {
	keys := inviteKeys[kind]
	mt := f.deps.Meetings
	data := func(c *handlers.Call) map[string]any {
		return c.With(map[string]any{"ID": m.ID, "Title": mt.Title(c, m), "When": c.When(m.StartsAt, m.Location())})
	}
	msg := f.compose(r, "email_meeting", func(c *handlers.Call) string { return c.T(keys[0], data(c)) },
		func(c *handlers.Call) []handlers.Block {
			blocks := append([]handlers.Block{handlers.Header{Text: c.T(keys[1], data(c))}}, mt.Details(c, m)...)
			if kind == inviteCancel {
				return append(blocks, handlers.Section{Text: c.T("email_cancel_text", data(c))})
			}
			return append(blocks, handlers.Section{Text: c.T("email_invite_answer", data(c))})
		})
	method := MethodRequest
	if kind == inviteCancel {
		method = MethodCancel
	}
	msg.Invite = &Invite{Method: method, UID: meetingUID(m), Sequence: m.Sequence, Stamp: m.UpdatedAt,
		Start: m.StartsAt, End: m.EndsAt(), Summary: f.inLang(msg.Lang, func(c *handlers.Call) string { return mt.Title(c, m) }),
		Description: f.inLang(msg.Lang, func(c *handlers.Call) string { return f.description(c, m) }),
		Location:    m.Link, URL: m.Link, Organizer: f.o.From, Attendee: msg.To}
	return msg
}

// inLang is text in lang, or English then French for "".
func (f *Feature) inLang(lang string, text func(c *handlers.Call) string) string {
	if lang != "" {
		return handlers.Unmark(text(f.svc.LangCall(lang)))
	}
	en, fr := handlers.Unmark(text(f.svc.LangCall("en"))), handlers.Unmark(text(f.svc.LangCall("fr")))
	if en == fr {
		return en
	}
	if strings.Contains(en, "\n") || strings.Contains(fr, "\n") {
		return en + "\n\n" + fr
	}
	return en + " / " + fr
}

// description is the event's text in a calendar: the meeting's fields as
// "Label: value" lines.
func (f *Feature) description(c *handlers.Call, m *storage.Meeting) string {
	var lines []string
	for _, b := range f.deps.Meetings.Details(c, m) {
		if s, ok := b.(handlers.Section); ok {
			for _, fl := range s.Fields {
				lines = append(lines, handlers.FieldLine(c.Lang, fl.Label, fl.Value))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// meetingUID is the UID the calendar feed gives m too, so that a calendar
// subscribed to the feed and one that took the invitation hold one event.
func meetingUID(m *storage.Meeting) string {
	if m.UID != "" {
		return m.UID
	}
	return "meeting-" + strconv.FormatInt(m.ID, 10) + "@copbot"
}

// reminderMessage is the reminder of m to r.
func (f *Feature) reminderMessage(r recipient, m *storage.Meeting) Message {
	mt := f.deps.Meetings
	return f.compose(r, "email_reminder", func(c *handlers.Call) string {
		return c.T("email_subject_reminder", map[string]any{"Title": mt.Title(c, m), "When": c.When(m.StartsAt, m.Location())})
	}, func(c *handlers.Call) []handlers.Block { return mt.Reminder(c, m).Blocks })
}

// pollMessage is poll p's invitation to r: the question, the options by
// number, the deadline and how to vote: with vote, the secret of r's vote
// links, one link per option (a page that asks to confirm); without it
// (copbot has no https address), the chat command.
func (f *Feature) pollMessage(r recipient, p *storage.Poll, vote string) Message {
	return f.pollMail(r, p, vote, "email_poll", "email_subject_poll", "")
}

// pollReminderMessage is poll p's reminder to r, who has not voted: the
// invitation, under its own subject and a line that says why it comes.
func (f *Feature) pollReminderMessage(r recipient, p *storage.Poll, vote string) Message {
	return f.pollMail(r, p, vote, "email_poll_reminder", "email_subject_poll_reminder", "email_poll_reminder_text")
}

// pollMail is a mail about poll p of kind, under the subject key, with the
// lead text under the question ("" for none).
func (f *Feature) pollMail(r recipient, p *storage.Poll, vote, kind, subject, lead string) Message {
	loc := f.svc.Options().Location
	data := func(c *handlers.Call) map[string]any {
		d := map[string]any{"ID": p.ID, "Question": c.Own(p.Question)}
		if !p.ClosesAt.IsZero() {
			d["When"] = c.When(p.ClosesAt, loc)
		}
		return d
	}
	return f.compose(r, kind, func(c *handlers.Call) string { return c.T(subject, data(c)) }, func(c *handlers.Call) []handlers.Block {
		blocks := []handlers.Block{handlers.Header{Text: c.T("email_poll_header", data(c))}}
		if lead != "" {
			blocks = append(blocks, handlers.Section{Text: c.T(lead, data(c))})
		}
		if vote == "" {
			lines := make([]string, 0, len(p.Options))
			for _, o := range p.Options {
				lines = append(lines, strconv.Itoa(o.Position)+". "+c.Own(o.Label))
			}
			blocks = append(blocks, handlers.Section{Text: strings.Join(lines, "\n")})
		}
		if !p.ClosesAt.IsZero() {
			blocks = append(blocks, handlers.Context{Text: c.T("email_poll_closes", data(c))})
		}
		if vote != "" {
			return append(blocks, f.voteLinks(c, p, vote)...)
		}
		how := "email_poll_how"
		if p.MaxVotes > 1 {
			how = "email_poll_how_many"
		}
		return append(blocks, handlers.Section{Text: c.T(how, c.With(map[string]any{"ID": p.ID, "Max": p.MaxVotes}))})
	})
}

// voteLinks say how to vote by email and give one link per option, in
// the options' order.
func (f *Feature) voteLinks(c *handlers.Call, p *storage.Poll, vote string) []handlers.Block {
	how := "email_poll_vote_links"
	if p.MaxVotes > 1 {
		how = "email_poll_vote_links_many"
	}
	if p.Anonymous {
		how += "_anonymous"
	}
	links := handlers.Actions{}
	for _, o := range p.Options {
		links.Buttons = append(links.Buttons, handlers.Button{URL: f.voteURL(vote, o.ID),
			Label: c.T("email_poll_vote_option", map[string]any{"Number": o.Position, "Option": c.Own(o.Label)})})
	}
	return []handlers.Block{handlers.Section{Text: c.T(how, map[string]any{"ID": p.ID, "Max": p.MaxVotes})}, links}
}
