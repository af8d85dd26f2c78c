package polls

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// createForm is the poll creation form (a Slack modal). Its Text explains
// the one-line command for platforms without forms.
func (f *Feature) createForm(c *call) handlers.Reply {
	yesNo := []handlers.Option{{Value: "no", Label: c.T("poll_no", nil)}, {Value: "yes", Label: c.T("poll_yes", nil)}}
	var votes []handlers.Option
	for n := 1; n <= storage.PollMaxOptions; n++ {
		votes = append(votes, handlers.Option{Value: fmt.Sprint(n), Label: fmt.Sprint(n)})
	}
	form := &handlers.Form{ID: "poll_create", Title: c.T("poll_form_title", nil), Submit: c.T("poll_form_submit", nil),
		Fields: []handlers.FormField{
			{ID: "question", Label: c.T("poll_field_question", nil), Kind: handlers.FieldText},
			{ID: "options", Label: c.T("poll_field_options", nil), Hint: c.T("poll_field_options_hint", nil), Kind: handlers.FieldMultiline},
			{ID: "votes", Label: c.T("poll_field_votes", nil), Kind: handlers.FieldSelect, Options: votes, Initial: "1"},
			{ID: "anonymous", Label: c.T("poll_field_anonymous", nil), Hint: c.T("poll_field_anonymous_hint", nil),
				Kind: handlers.FieldSelect, Options: yesNo, Initial: "no"},
			{ID: "closes", Label: c.T("poll_field_closes", nil), Hint: c.T("poll_field_closes_hint", nil), Kind: handlers.FieldText, Optional: true},
			{ID: "remind", Label: c.T("poll_field_remind", nil), Hint: c.T("poll_field_remind_hint", nil), Kind: handlers.FieldText, Optional: true},
			{ID: "open_options", Label: c.T("poll_field_open_options", nil), Kind: handlers.FieldSelect, Options: yesNo, Initial: "no"},
			{ID: "meeting", Label: c.T("poll_field_meeting", nil), Hint: c.T("poll_field_meeting_hint", nil), Kind: handlers.FieldText, Optional: true},
		}}
	text := c.T("poll_form_text", c.With(nil))
	return handlers.Reply{Kind: "poll_form", Lang: c.Lang, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}}, Form: form}
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
func (f *Feature) submitCreate(ctx context.Context, c *call, _ string, v map[string]string) (handlers.Reply, map[string]string) {
	if !c.Coordinator {
		return c.CoordinatorOnly(), nil
	}
	in, key, data := f.formInput(c, v)
	if key == "" {
		_, err := storage.ValidatePoll(in)
		var e *storage.Error
		if errors.As(err, &e) {
			key, data = e.Key, e.Args
		}
	}
	if key != "" {
		return f.formError(c, key, data)
	}
	r := f.createAndPost(ctx, c, in)
	if r.Kind == "error" {
		return r, map[string]string{"question": r.Text}
	}
	return r, nil
}

// formInput reads the form values; key is the first parse error.
func (f *Feature) formInput(c *call, v map[string]string) (storage.PollInput, string, map[string]any) {
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
	a, perr := parsePollArgs(args, f.now(), f.opts.Location)
	if perr != nil {
		return in, perr.Key, perr.Data
	}
	in.MaxVotes, in.ClosesAt, in.RemindBefore, in.MeetingID = a.MaxVotes, a.ClosesAt, a.Remind, a.MeetingID
	return in, "", nil
}

func (f *Feature) formError(c *call, key string, data map[string]any) (handlers.Reply, map[string]string) {
	r := c.ErrorReply(key, c.With(data))
	field, ok := pollFormFields[key]
	if !ok {
		field = "question"
	}
	return r, map[string]string{field: r.Text}
}
