package teamsbot

import (
	"sort"

	"copbot/handlers"
)

// form renders r.Form as a card with inputs and a submit button. values are
// the user's last submission (shown again), errs the per-field errors from
// Service.Submit, shown under their inputs; errors for fields the form does
// not have are shown at the top so none is lost.
func (rd renderer) form(r handlers.Reply, values, errs map[string]string) *card {
	f := r.Form
	l := lang(r)
	c := newCard(r)
	if f.Title != "" {
		c.Body = append(c.Body, &element{Type: "TextBlock", Text: escapeMD(f.Title), Style: "heading",
			Size: "Large", Weight: "Bolder", Wrap: true})
	}
	c.Body = append(c.Body, orphanErrors(f, errs)...)
	for _, ff := range f.Fields {
		c.Body = append(c.Body, rd.input(ff, l, values))
		if msg := errs[ff.ID]; msg != "" {
			c.Body = append(c.Body, errorText(msg))
		}
	}
	c.Actions = []*action{{Type: "Action.Execute", Title: f.Submit, Verb: f.ID, Style: "positive",
		Data: map[string]string{dataForm: f.ID, dataState: f.State}}}
	return c
}

// input renders one field. Inputs are named inputPrefix+ID (see parseData).
func (rd renderer) input(ff handlers.FormField, lang string, values map[string]string) *element {
	v, ok := values[ff.ID]
	if !ok {
		v = handlers.Unmark(ff.Initial)
	}
	e := &element{ID: inputPrefix + ff.ID, Label: ff.Label, Placeholder: ff.Hint, Value: v,
		IsRequired: !ff.Optional}
	if e.IsRequired {
		e.ErrorMessage = rd.tr.T(lang, "teams_field_required", nil)
	}
	switch ff.Kind {
	case handlers.FieldSelect:
		e.Type, e.Style = "Input.ChoiceSet", "compact"
		for _, o := range ff.Options {
			e.Choices = append(e.Choices, choice{Title: handlers.Unmark(o.Label), Value: o.Value})
		}
	case handlers.FieldMultiline:
		e.Type, e.IsMultiline = "Input.Text", true
	default:
		e.Type = "Input.Text"
	}
	return e
}

func errorText(msg string) *element {
	return &element{Type: "TextBlock", Text: escapeMD(msg), Color: "Attention", Size: "Small",
		Wrap: true, Spacing: "Small"}
}

// orphanErrors returns, sorted by key, the errors of ids the form lacks.
func orphanErrors(f *handlers.Form, errs map[string]string) []*element {
	known := map[string]bool{}
	for _, ff := range f.Fields {
		known[ff.ID] = true
	}
	var keys []string
	for k := range errs {
		if !known[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var els []*element
	for _, k := range keys {
		els = append(els, errorText(errs[k]))
	}
	return els
}
