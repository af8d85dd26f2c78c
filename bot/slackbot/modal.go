package slackbot

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"copbot/handlers"
)

// Modal limits (https://docs.slack.dev/reference/views/modal-views).
const (
	maxModalTitle    = 24
	maxInputLabel    = 2000
	maxOptions       = 100
	maxOptionText    = 75
	maxMetadata      = 3000
	maxInitialValue  = 3000
	valueActionID    = "value" // the action_id of every modal input
	modalCallbackPfx = "copbot_form:"
)

// formMeta travels in a modal's private_metadata and comes back with its
// view_submission: which form it is, the service's opaque state, and where
// to send the confirmation once the modal closes.
type formMeta struct {
	Form        string `json:"f"`
	State       string `json:"s,omitempty"`
	ResponseURL string `json:"r,omitempty"`
	Channel     string `json:"c,omitempty"`
	Home        bool   `json:"h,omitempty"` // opened from the App Home: republish it after
}

// encode serialises m within Slack's 3000-character cap. The response_url
// is dropped first (the confirmation then goes by DM); the state never is.
func (m formMeta) encode() (string, bool) {
	b, _ := json.Marshal(m)
	if len(b) > maxMetadata && m.ResponseURL != "" {
		m.ResponseURL = ""
		b, _ = json.Marshal(m)
	}
	return string(b), len(b) <= maxMetadata
}

func decodeMeta(s string) formMeta {
	var m formMeta
	if s != "" && json.Unmarshal([]byte(s), &m) != nil {
		return formMeta{}
	}
	return m
}

// modal builds the Slack modal for a neutral Form. closeText and placeholder
// are the adapter's own strings, already in the form's language.
func modal(f *handlers.Form, meta formMeta, closeText, placeholder string) (slack.ModalViewRequest, bool) {
	md, ok := meta.encode()
	v := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(truncate(handlers.Unmark(f.Title), maxModalTitle)),
		Close:           plain(truncate(closeText, maxModalTitle)),
		Submit:          plain(truncate(f.Submit, maxModalTitle)),
		PrivateMetadata: md,
		CallbackID:      modalCallbackPfx + f.ID,
	}
	// Text a modal's limits would cut is shown whole in a block of its own:
	// a long title above the inputs, long choices above their menu.
	if handlers.TextLen(f.Title) > maxModalTitle {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, header(f.Title)...)
	}
	for _, ff := range f.Fields {
		if len(v.Blocks.BlockSet) >= maxViewBlocks {
			return v, false
		}
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, longChoices(ff)...)
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, inputBlock(ff, placeholder))
	}
	return v, ok && len(v.Blocks.BlockSet) <= maxViewBlocks
}

// longChoices lists in full the choices of a select that its menu shows
// shortened.
func longChoices(ff handlers.FormField) []slack.Block {
	var long []string
	for _, o := range ff.Options {
		if handlers.TextLen(o.Label) > maxOptionText {
			long = append(long, "• "+escape(o.Label))
		}
	}
	if len(long) == 0 {
		return nil
	}
	var out []slack.Block
	for _, chunk := range splitEscaped(strings.Join(long, "\n"), maxSectionChars) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	return out
}

func inputBlock(ff handlers.FormField, placeholder string) *slack.InputBlock {
	var hint *slack.TextBlockObject
	if ff.Hint != "" {
		hint = plain(truncate(ff.Hint, maxInputLabel))
	}
	b := slack.NewInputBlock(ff.ID, plain(truncate(ff.Label, maxInputLabel)), hint, inputElement(ff, placeholder))
	b.Optional = ff.Optional
	return b
}

func inputElement(ff handlers.FormField, placeholder string) slack.BlockElement {
	if ff.Kind == handlers.FieldSelect {
		return selectElement(ff, placeholder)
	}
	in := slack.NewPlainTextInputBlockElement(nil, valueActionID)
	in.Multiline = ff.Kind == handlers.FieldMultiline
	in.InitialValue = truncate(handlers.Unmark(ff.Initial), maxInitialValue)
	return in
}

func selectElement(ff handlers.FormField, placeholder string) *slack.SelectBlockElement {
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, o := range ff.Options[:min(len(ff.Options), maxOptions)] {
		opt := slack.NewOptionBlockObject(o.Value, plain(truncate(handlers.Unmark(o.Label), maxOptionText)), nil)
		opts = append(opts, opt)
		if o.Value == ff.Initial && ff.Initial != "" {
			initial = opt
		}
	}
	s := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), valueActionID, opts...)
	s.InitialOption = initial
	return s
}

// formValues reads a submitted modal's state: block id (the FormField ID)
// to the typed text or the chosen option's value.
func formValues(state *slack.ViewState) map[string]string {
	out := map[string]string{}
	if state == nil {
		return out
	}
	for blockID, actions := range state.Values {
		for _, act := range actions {
			out[blockID] = actionValue(act)
			break
		}
	}
	return out
}

func actionValue(act slack.BlockAction) string {
	switch {
	case act.SelectedOption.Value != "":
		return act.SelectedOption.Value
	case act.SelectedDate != "":
		return act.SelectedDate
	case act.SelectedTime != "":
		return act.SelectedTime
	case len(act.SelectedOptions) > 0:
		vals := make([]string, len(act.SelectedOptions))
		for i, o := range act.SelectedOptions {
			vals[i] = o.Value
		}
		return strings.Join(vals, ",")
	}
	return strings.TrimSpace(act.Value)
}

// inputBlockIDs lists a view's input block ids in order: the only keys
// Slack accepts in a response_action "errors" map.
func inputBlockIDs(v slack.View) []string {
	var ids []string
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID != "" {
			ids = append(ids, in.BlockID)
		}
	}
	return ids
}

// fieldErrors maps the service's field errors onto the view's input blocks.
// An error for a field the view does not have goes on the first block, so
// the person always sees why the form was refused. ok is false when the view
// has no input block to show errors on.
func fieldErrors(errs map[string]string, ids []string) (map[string]string, bool) {
	if len(ids) == 0 {
		return nil, false
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	out := map[string]string{}
	var stray []string
	for _, id := range slices.Sorted(maps.Keys(errs)) {
		msg := handlers.Unmark(errs[id])
		if known[id] {
			out[id] = truncate(msg, maxInputLabel)
		} else {
			stray = append(stray, msg)
		}
	}
	if len(stray) > 0 {
		first := ids[0]
		msgs := append([]string{}, stray...)
		if out[first] != "" {
			msgs = append([]string{out[first]}, msgs...)
		}
		out[first] = truncate(strings.Join(msgs, " "), maxInputLabel)
	}
	return out, true
}
