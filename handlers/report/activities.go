package report

import (
	"context"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// The planned activities register: "activity add|edit|done", "activities"
// lists it. Planned activities, with their remarks, are listed in the
// report's "Activities planned for the next period"; an activity done
// during a period is among that period's activities.

var activityFlags = handlers.FlagSpec{
	Names: map[string]string{
		"text": "text", "texte": "text", "activity": "text", "activite": "text",
		"remarks": "remarks", "remark": "remarks", "remarques": "remarks", "remarque": "remarks", "notes": "remarks",
		"due": "due", "by": "due", "echeance": "due", "pour": "due", "date": "due",
	},
	Help: "--text, --remarks, --due",
}

func (s *Feature) cmdActivity(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		return s.cmdActivities(ctx, c)
	}
	sub, rest := handlers.Fold(c.Args[0]), c.Args[1:]
	c.Args = rest
	switch sub {
	case "add", "new", "ajouter", "nouvelle":
		return s.activityAdd(ctx, c)
	case "edit", "modifier":
		return s.activityEdit(ctx, c)
	case "done", "finish", "terminee", "termine", "faite", "fait", "terminer":
		return s.activityDone(ctx, c)
	case "list", "liste":
		return s.cmdActivities(ctx, c)
	}
	return c.ErrorReply("activity_usage", c.SlashData())
}

// activityUpdateFrom reads the options; "-" clears remarks or due date.
func activityUpdateFrom(opts []handlers.Opt) (storage.ActivityUpdate, error) {
	var u storage.ActivityUpdate
	for _, o := range opts {
		v := o.Value
		if v == "-" && o.Field != "text" {
			v = ""
		}
		switch o.Field {
		case "text":
			u.Text = &v
		case "remarks":
			u.Remarks = &v
		case "due":
			if _, ok := handlers.ParseDate(v); v != "" && !ok {
				return u, storage.Errorf(storage.EINVALID, "activity_error_due", map[string]any{"Value": v}, "bad due date")
			}
			u.DueOn = &v
		}
	}
	return u, nil
}

// activityAdd: activity add "text" [--remarks "…"] [--due DATE].
func (s *Feature) activityAdd(ctx context.Context, c *call) handlers.Reply {
	pos, opts, err := activityFlags.Parse(c.Args)
	var u storage.ActivityUpdate
	if err == nil {
		u, err = activityUpdateFrom(opts)
	}
	if err != nil {
		return c.FailUsage(err, "activity_usage")
	}
	text := strings.Join(pos, " ")
	if u.Text != nil {
		text = *u.Text
	}
	a, err := s.store.AddActivity(ctx, text, c.Req.Identity.String(), u)
	if err != nil {
		return c.FailUsage(err, "activity_usage")
	}
	s.log.Info("activity added", "activity", a.ID, "by", c.Req.Identity.String())
	return c.Reply("activity", handlers.Ephemeral, handlers.Section{Text: c.T("activity_added", map[string]any{"ID": a.ID})}, c.activityBlock(a))
}

// activityEdit: activity edit ID --text|--remarks|--due value.
func (s *Feature) activityEdit(ctx context.Context, c *call) handlers.Reply {
	id, ok := challengeID(c.Args)
	if !ok {
		return c.ErrorReply("activity_usage", c.SlashData())
	}
	pos, opts, err := activityFlags.Parse(c.Args[1:])
	if err == nil && (len(pos) > 0 || len(opts) == 0) {
		err = handlers.ErrExtra(pos)
	}
	var u storage.ActivityUpdate
	if err == nil {
		u, err = activityUpdateFrom(opts)
	}
	if err != nil {
		return c.FailUsage(err, "activity_usage")
	}
	a, err := s.store.UpdateActivity(ctx, id, u)
	if err != nil {
		return c.Fail(err)
	}
	s.log.Info("activity edited", "activity", id, "by", c.Req.Identity.String())
	return c.Reply("activity", handlers.Ephemeral, handlers.Section{Text: c.T("activity_edited", map[string]any{"ID": id})}, c.activityBlock(a))
}

// activityDone: activity done ID.
func (s *Feature) activityDone(ctx context.Context, c *call) handlers.Reply {
	id, ok := challengeID(c.Args)
	if !ok || len(c.Args) != 1 {
		return c.ErrorReply("activity_usage", c.SlashData())
	}
	a, err := s.store.FinishActivity(ctx, id)
	if err != nil {
		return c.Fail(err)
	}
	s.log.Info("activity done", "activity", id, "by", c.Req.Identity.String())
	return c.Reply("activity", handlers.Ephemeral, handlers.Section{Text: c.T("activity_finished", map[string]any{"ID": id})}, c.activityBlock(a))
}

// cmdActivities lists the planned activities, then those done.
func (s *Feature) cmdActivities(ctx context.Context, c *call) handlers.Reply {
	as, err := s.store.Activities(ctx)
	if err != nil {
		return c.Fail(err)
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("activity_list_title", nil)}}
	for _, a := range as {
		blocks = append(blocks, c.activityBlock(a))
	}
	if len(as) == 0 {
		blocks = append(blocks, handlers.Section{Text: c.T("activity_list_empty", nil)})
	}
	blocks = append(blocks, handlers.Context{Text: c.T("activity_hint", c.SlashData())})
	return c.Reply("activities", handlers.Ephemeral, blocks...)
}

// activityBlock is one activity with its target date, status and remarks,
// its texts whole (the register shows both halves of bilingual text, as
// typed) and marked as typed, so that no renderer reads them as markup.
func (c *call) activityBlock(a *storage.Activity) handlers.Block {
	var fields []handlers.Field
	if a.DueOn != "" {
		fields = append(fields, handlers.Field{Label: c.T("activity_due", nil), Value: c.dueDate(a.DueOn)})
	}
	status := c.T("activity_status_planned", nil)
	if a.Done {
		status = c.T("activity_status_done", map[string]any{"Date": c.reportDate(a.DoneAt.In(c.s.opts.Location))})
	}
	fields = append(fields, handlers.Field{Label: c.T("activity_status", nil), Value: status})
	if a.Remarks != "" {
		fields = append(fields, handlers.Field{Label: c.T("activity_remarks", nil), Value: handlers.User(a.Remarks)})
	}
	return handlers.Section{Text: c.T("activity_line", map[string]any{"ID": a.ID, "Text": handlers.User(a.Text)}), Fields: fields}
}

func (c *call) dueDate(s string) string {
	d, ok := handlers.ParseDate(s)
	if !ok {
		return s
	}
	return c.reportDate(d)
}

// activityLine is an activity as the report lists it: the text, its
// target date, and its remarks.
func (c *call) activityLine(a *storage.Activity, loc *time.Location) string {
	text := c.Own(a.Text)
	line := text
	switch {
	case a.Done:
		line = c.T("report_activity_done", map[string]any{"Text": text, "Date": c.reportDate(a.DoneAt.In(loc))})
	case a.DueOn != "":
		line = c.T("report_activity_due", map[string]any{"Text": text, "Date": c.dueDate(a.DueOn)})
	}
	if a.Remarks != "" {
		line += " " + c.fact("activity_remarks", c.Own(a.Remarks))
	}
	return line
}
