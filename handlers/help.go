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
func (s *Service) help(ctx context.Context, c *call) Reply {
	if len(c.args) > 0 {
		return s.helpFor(c, Fold(c.args[0]))
	}
	var everyone, coordinators []string
	for _, cmd := range s.commands {
		line := "• " + c.T(cmd.helpKey, c.slashData())
		if cmd.coordinator {
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
		Section{Text: c.T("help_questions", c.slashData())},
		Context{Text: c.T("help_footer", c.slashData())})
	return c.reply("help", Ephemeral, blocks...)
}

func (s *Service) helpFor(c *call, name string) Reply {
	cmd := s.lookup(name)
	if cmd == nil {
		return c.errorReply("help_unknown", c.with(map[string]any{"Command": name}))
	}
	blocks := []Block{Section{Text: c.T(cmd.helpKey, c.slashData())}}
	// The translator renders a missing id as the id itself.
	if id := cmd.helpKey + "_more"; c.T(id, c.slashData()) != id {
		blocks = append(blocks, Section{Text: c.T(id, c.slashData())})
	}
	if cmd.coordinator {
		blocks = append(blocks, Context{Text: c.T("help_coordinator_only", nil)})
	}
	return c.reply("help", Ephemeral, blocks...)
}
