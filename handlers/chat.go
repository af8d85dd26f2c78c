package handlers

import (
	"context"
	"strings"
	"sync"
	"time"

	"copbot/storage"
)

// This file answers what is not a command: near misses of command names,
// greetings and thanks, and a bare "yes" after a leave prompt.

// leavePromptTTL is how long a bare "yes" confirms a leave prompt.
const leavePromptTTL = 10 * time.Minute

// maxLeavePrompts bounds the prompts remembered at once; the oldest are
// forgotten first (they then need `leave confirm`).
const maxLeavePrompts = 1000

// memberFeature is the membership commands' state: leave prompts waiting
// for a "yes", by identity, with the time each was shown.
type memberFeature struct {
	mu     sync.Mutex
	asked  map[storage.Identity]time.Time
	expiry time.Duration
}

func newMemberFeature() *memberFeature {
	return &memberFeature{asked: map[storage.Identity]time.Time{}, expiry: leavePromptTTL}
}

// prompted records that id was asked to confirm leaving at now.
func (f *memberFeature) prompted(id storage.Identity, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, t := range f.asked {
		if now.Sub(t) > f.expiry {
			delete(f.asked, k)
		}
	}
	if len(f.asked) >= maxLeavePrompts {
		f.forgetOldest()
	}
	f.asked[id] = now
}

func (f *memberFeature) forgetOldest() {
	var oldest storage.Identity
	var at time.Time
	for k, t := range f.asked {
		if at.IsZero() || t.Before(at) {
			oldest, at = k, t
		}
	}
	delete(f.asked, oldest)
}

// answered takes id's pending prompt: true if one was shown less than the
// expiry ago. Either way the prompt is forgotten.
func (f *memberFeature) answered(id storage.Identity, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.asked[id]
	delete(f.asked, id)
	return ok && now.Sub(t) <= f.expiry
}

// unknownCommand answers text that is neither a command nor a directory
// question.
func (s *Service) unknownCommand(ctx context.Context, c *Call) Reply {
	words := strings.Fields(stripCommand(c.Req.Text, s.opts.Command))
	first := strings.TrimRightFunc(Fold(words[0]), isSentencePunct)
	if r, ok := s.answerYesNo(ctx, c, first, len(words)); ok {
		return r
	}
	if key, ok := greetingKey(first, len(words)); ok {
		return c.Reply("greeting", Ephemeral, Section{Text: c.T(key, c.SlashData())})
	}
	data := c.With(map[string]any{"Command": words[0]})
	if sugg := c.suggestCommands(first); len(sugg) > 0 {
		data["Suggestions"] = strings.Join(sugg, c.T("list_or", nil))
		return c.ErrorReply("error_unknown_command_suggest", data)
	}
	return c.ErrorReply("error_unknown_command", data)
}

// suggestCommands lists the commands closest to the folded word, as
// "`/cop help`", preferring those in the call's language.
func (c *Call) suggestCommands(word string) []string {
	names := closestWords(word, c.s.commandNames())
	var mine []string
	for _, n := range names {
		if l := commandWords[n].lang; l == "" || l == c.Lang {
			mine = append(mine, n)
		}
	}
	if len(mine) > 0 {
		names = mine
	}
	var out []string
	for _, n := range names[:min(len(names), 3)] {
		if cw, ok := commandWords[n]; ok {
			n = cw.display
		}
		out = append(out, "`"+c.s.opts.Command+" "+n+"`")
	}
	return out
}

// greetingKey returns the answer to a short greeting or thanks.
func greetingKey(first string, words int) (string, bool) {
	if words > 5 {
		return "", false
	}
	switch first {
	case "hello", "hi", "hey", "bonjour", "salut", "bonsoir", "allo", "coucou", "good":
		return "greeting_hello", true
	case "thanks", "thank", "thx", "ty", "merci":
		return "greeting_thanks", true
	}
	return "", false
}

// answerYesNo confirms (yes, oui) or cancels (no, non) a leave prompt
// shown to the caller less than leavePromptTTL ago.
func (s *Service) answerYesNo(ctx context.Context, c *Call, first string, words int) (Reply, bool) {
	yes, no := false, false
	switch first {
	case "yes", "oui", "confirm", "confirmer", "y", "o":
		yes = true
	case "no", "non", "cancel", "annuler", "n":
		no = true
	}
	if words > 2 || (!yes && !no) || c.Member == nil || !s.members.answered(c.Req.Identity, s.now()) {
		return Reply{}, false
	}
	if no {
		return c.Reply("leave_cancelled", Ephemeral, Section{Text: c.T("leave_cancelled", nil)}), true
	}
	return s.leave(ctx, c), true
}
