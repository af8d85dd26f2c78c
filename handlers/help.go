package handlers

import (
	"context"
	"strings"
)

// help lists every registered command with its one-line help (the
// command's helpKey), coordinator commands apart, so commands that other
// features register appear here by themselves. "help <command>" shows the
// command's detailed help: the message helpKey+"_more" when a catalog
// defines it.
func (s *Service) help(ctx context.Context, c *Call) Reply {
	if len(c.Args) > 0 {
		return s.helpFor(c, Fold(c.Args[0]))
	}
	var everyone, coordinators []string
	for _, cmd := range s.Commands() {
		line := "• " + c.T(cmd.HelpKey, c.SlashData())
		if cmd.Coordinator {
			coordinators = append(coordinators, line)
		} else {
			everyone = append(everyone, line)
		}
	}
	blocks := []Block{
		Header{Text: c.T("help_title", nil)},
		Section{Text: strings.Join(everyone, "\n")},
	}
	if len(coordinators) > 0 {
		blocks = append(blocks, Section{Text: c.T("help_coordinators", nil) + "\n" + strings.Join(coordinators, "\n")})
	}
	blocks = append(blocks,
		Section{Text: c.T("help_questions", c.SlashData())},
		Context{Text: c.T("help_footer", c.SlashData())})
	return c.Reply("help", Ephemeral, blocks...)
}

func (s *Service) helpFor(c *Call, name string) Reply {
	cmd := s.reg.lookup(name)
	if cmd == nil {
		return c.ErrorReply("help_unknown", c.With(map[string]any{"Command": name}))
	}
	blocks := []Block{Section{Text: c.T(cmd.HelpKey, c.SlashData())}}
	// The translator renders a missing id as the id itself.
	if id := cmd.HelpKey + "_more"; c.T(id, c.SlashData()) != id {
		blocks = append(blocks, Section{Text: c.T(id, c.SlashData())})
	}
	if cmd.Coordinator {
		blocks = append(blocks, Context{Text: c.T("help_coordinator_only", nil)})
	}
	return c.Reply("help", Ephemeral, blocks...)
}
