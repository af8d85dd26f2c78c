package consolebot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"copbot/handlers"
)

// The console has no forms: an interactive console asks a form's fields one
// at a time (allowed values shown, Enter keeps the value in brackets,
// :cancel stops), then submits them as Slack or Teams would. Piped input
// gets the reply's text instead, which writes the one-line command.

// formCancel is what a user types to stop filling in a form.
const formCancel = ":cancel"

// fill asks r.Form's fields and submits them; it returns the reply to print,
// or the cancellation notice. next reads the user's next line (ok false at
// end of input or when ctx is done).
func (c *Console) fill(ctx context.Context, r handlers.Reply, next func() (string, bool)) handlers.Reply {
	f, lang := r.Form, r.Lang
	tr := c.svc.Translator()
	c.write(tr.T(lang, "console_form_intro", map[string]any{"Title": f.Title}) + "\n")
	values := map[string]string{}
	for _, fld := range f.Fields {
		values[fld.ID] = fld.Initial
	}
	ask := f.Fields
	for {
		for _, fld := range ask {
			v, ok := c.askField(lang, fld, values[fld.ID], next)
			if !ok {
				return c.cancelled(lang)
			}
			values[fld.ID] = v
		}
		reply, errs := c.svc.Submit(ctx, c.request(""), f.ID, f.State, values)
		if len(errs) == 0 {
			return reply
		}
		c.write(tr.T(lang, "console_form_fix", nil) + "\n")
		ask = nil
		for _, fld := range f.Fields {
			if msg, bad := errs[fld.ID]; bad {
				c.write("• " + handlers.FieldLine(lang, fld.Label, msg) + "\n")
				ask = append(ask, fld)
			}
		}
		if len(ask) == 0 { // errors not tied to a field: nothing to ask again
			return reply
		}
	}
}

// cancelled is the reply to :cancel or to the end of input mid-form.
func (c *Console) cancelled(lang string) handlers.Reply {
	msg := c.svc.Translator().T(lang, "console_form_cancelled", nil)
	return handlers.Reply{Kind: "form_cancelled", Lang: lang, Text: msg}
}

// askField asks one field until its answer is acceptable; ok is false on
// :cancel or the end of input.
func (c *Console) askField(lang string, f handlers.FormField, initial string, next func() (string, bool)) (string, bool) {
	tr := c.svc.Translator()
	head := f.Label
	if f.Hint != "" {
		head += " — " + f.Hint
	}
	if f.Optional {
		head += " (" + tr.T(lang, "console_form_optional", nil) + ")"
	}
	c.write(head + "\n")
	switch f.Kind {
	case handlers.FieldSelect:
		c.write(tr.T(lang, "console_form_choices", map[string]any{"Choices": choiceList(f.Options)}) + "\n")
	case handlers.FieldMultiline:
		c.write(tr.T(lang, "console_form_list", nil) + "\n")
		return c.askLines(f, initial, next)
	}
	for {
		c.promptf("%s%s: ", f.Label, bracket(shown(f, initial)))
		line, ok := next()
		line = strings.TrimSpace(line)
		if !ok || line == formCancel {
			return "", false
		}
		v, msg := fieldValue(f, line, initial)
		if msg == "" {
			return v, true
		}
		c.write(tr.T(lang, msg, map[string]any{"Value": line}) + "\n")
	}
}

// askLines reads a list, one item per line, up to an empty line; an empty
// first line keeps initial.
func (c *Console) askLines(f handlers.FormField, initial string, next func() (string, bool)) (string, bool) {
	var items []string
	for {
		c.promptf("%s %d%s: ", f.Label, len(items)+1, bracket(firstLine(initial, len(items))))
		line, ok := next()
		line = strings.TrimSpace(line)
		switch {
		case !ok || line == formCancel:
			return "", false
		case line == "" && len(items) == 0:
			return initial, true
		case line == "":
			return strings.Join(items, "\n"), true
		}
		items = append(items, line)
	}
}

// fieldValue checks one answer: "" keeps initial; a select takes a value,
// its label or its number. msg is a catalog id when the answer is refused.
func fieldValue(f handlers.FormField, line, initial string) (v, msg string) {
	if line == "" {
		if initial == "" && !f.Optional {
			return "", "console_form_required"
		}
		return initial, ""
	}
	if f.Kind != handlers.FieldSelect {
		return line, ""
	}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(f.Options) {
		return f.Options[n-1].Value, ""
	}
	for _, o := range f.Options {
		if handlers.Fold(line) == handlers.Fold(o.Value) || handlers.Fold(line) == handlers.Fold(o.Label) {
			return o.Value, ""
		}
	}
	return "", "console_form_bad_choice"
}

// choiceList numbers a select's options: "1 federal (Federal), 2 …".
func choiceList(opts []handlers.Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = fmt.Sprintf("%d %s", i+1, o.Label)
		if handlers.Fold(o.Value) != handlers.Fold(o.Label) {
			parts[i] = fmt.Sprintf("%d %s (%s)", i+1, o.Value, o.Label)
		}
	}
	return strings.Join(parts, ", ")
}

// shown is the value a prompt offers to keep: a select's label.
func shown(f handlers.FormField, v string) string {
	for _, o := range f.Options {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

func bracket(v string) string {
	if v == "" {
		return ""
	}
	return " [" + v + "]"
}

// firstLine is the kept list shown at the first item's prompt only.
func firstLine(initial string, item int) string {
	if item > 0 || initial == "" {
		return ""
	}
	return strings.ReplaceAll(initial, "\n", "; ")
}
