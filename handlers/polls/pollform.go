package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"copbot/storage"
)

// createForm is the poll creation form (a Slack modal). Its Text explains
// the one-line command for platforms without forms.
func (p *pollFeature) createForm(c *Call) Reply {
	yesNo := []Option{{Value: "no", Label: c.T("poll_no", nil)}, {Value: "yes", Label: c.T("poll_yes", nil)}}
	var votes []Option
	for n := 1; n <= storage.PollMaxOptions; n++ {
		votes = append(votes, Option{Value: fmt.Sprint(n), Label: fmt.Sprint(n)})
	}
	f := &Form{ID: "poll_create", Title: c.T("poll_form_title", nil), Submit: c.T("poll_form_submit", nil),
		Fields: []FormField{
			{ID: "question", Label: c.T("poll_field_question", nil), Kind: FieldText},
			{ID: "options", Label: c.T("poll_field_options", nil), Hint: c.T("poll_field_options_hint", nil), Kind: FieldMultiline},
			{ID: "votes", Label: c.T("poll_field_votes", nil), Kind: FieldSelect, Options: votes, Initial: "1"},
			{ID: "anonymous", Label: c.T("poll_field_anonymous", nil), Hint: c.T("poll_field_anonymous_hint", nil),
				Kind: FieldSelect, Options: yesNo, Initial: "no"},
			{ID: "closes", Label: c.T("poll_field_closes", nil), Hint: c.T("poll_field_closes_hint", nil), Kind: FieldText, Optional: true},
			{ID: "remind", Label: c.T("poll_field_remind", nil), Hint: c.T("poll_field_remind_hint", nil), Kind: FieldText, Optional: true},
			{ID: "open_options", Label: c.T("poll_field_open_options", nil), Kind: FieldSelect, Options: yesNo, Initial: "no"},
			{ID: "meeting", Label: c.T("poll_field_meeting", nil), Hint: c.T("poll_field_meeting_hint", nil), Kind: FieldText, Optional: true},
		}}
	text := c.T("poll_form_text", c.With(nil))
	return Reply{Kind: "poll_form", Lang: c.Lang, Text: text, Blocks: []Block{Section{Text: text}}, Form: f}
}

// pollFormFields maps storage and parse error keys to the form field they
// concern, so the modal shows the message next to it.
var pollFormFields = map[string]string{
	"poll_error_question_required": "question", "poll_error_option_count": "options",
	"poll_error_option_empty": "options", "poll_error_option_duplicate": "options",
	"poll_error_max_votes": "votes", "poll_error_closes_past": "closes", "poll_error_closes_far": "closes",
	"poll_error_closes_format": "closes", "poll_error_remind_needs_close": "remind",
	"poll_error_remind_too_late": "remind", "poll_error_remind_format": "remind",
	"poll_error_meeting_not_found": "meeting", "poll_error_meeting_id": "meeting",
}

// submitCreate validates the form server-side, field by field, and
// creates and posts the poll only when everything is right.
func (p *pollFeature) submitCreate(ctx context.Context, c *Call, _ string, v map[string]string) (Reply, map[string]string) {
	if !c.Coordinator {
		return c.CoordinatorOnly(), nil
	}
	in, key, data := p.formInput(c, v)
	if key == "" {
		_, err := storage.ValidatePoll(in)
		var e *storage.Error
		if errors.As(err, &e) {
			key, data = e.Key, e.Args
		}
	}
	if key != "" {
		return p.formError(c, key, data)
	}
	r := p.createAndPost(ctx, c, in)
	if r.Kind == "error" {
		return r, map[string]string{"question": r.Text}
	}
	return r, nil
}

// formInput reads the form values; key is the first parse error.
func (p *pollFeature) formInput(c *Call, v map[string]string) (storage.PollInput, string, map[string]any) {
	in := storage.PollInput{Question: v["question"], Language: c.Lang, Creator: c.Req.Identity,
		Channel: c.Req.ChannelID, Anonymous: v["anonymous"] == "yes", AllowMemberOptions: v["open_options"] == "yes"}
	for _, l := range strings.Split(strings.ReplaceAll(v["options"], "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*")); l != "" {
			in.Options = append(in.Options, l)
		}
	}
	var args []string
	for _, f := range []string{"votes", "closes", "remind", "meeting"} {
		if s := strings.TrimSpace(v[f]); s != "" {
			args = append(args, "--"+f+"="+s)
		}
	}
	a, perr := parsePollArgs(args, p.s.now(), p.s.opts.Location)
	if perr != nil {
		return in, perr.Key, perr.Data
	}
	in.MaxVotes, in.ClosesAt, in.RemindBefore, in.MeetingID = a.MaxVotes, a.ClosesAt, a.Remind, a.MeetingID
	return in, "", nil
}

func (p *pollFeature) formError(c *Call, key string, data map[string]any) (Reply, map[string]string) {
	r := c.ErrorReply(key, c.With(data))
	field, ok := pollFormFields[key]
	if !ok {
		field = "question"
	}
	return r, map[string]string{field: r.Text}
}
