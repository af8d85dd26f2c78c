package handlers

import "strings"

// This file answers text that no command and no installed answer took:
// greetings and thanks, and near misses of command names.

// unknownCommand answers text that is neither a command nor anything an
// installed AnswerFunc took.
func (s *Service) unknownCommand(c *Call) Reply {
	words := strings.Fields(c.Text())
	first, n := c.FirstWord()
	if key, ok := greetingKey(first, n); ok {
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
	names := closestWords(word, c.s.reg.commandNames())
	var mine []string
	for _, n := range names {
		if l := c.s.reg.words[n].lang; l == "" || l == c.Lang {
			mine = append(mine, n)
		}
	}
	if len(mine) > 0 {
		names = mine
	}
	var out []string
	for _, n := range names[:min(len(names), 3)] {
		if cw, ok := c.s.reg.words[n]; ok {
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

// Text is the request's text without the slash command ("/cop") or "cop"
// word in front.
func (c *Call) Text() string { return stripCommand(c.Req.Text, c.s.opts.Command) }

// FirstWord is the text's first word, folded (see Fold), without the
// punctuation after it ("yes!" reads "yes"), and how many words the text
// has.
func (c *Call) FirstWord() (first string, words int) {
	ws := strings.Fields(c.Text())
	if len(ws) == 0 {
		return "", 0
	}
	return strings.TrimRightFunc(Fold(ws[0]), isSentencePunct), len(ws)
}
