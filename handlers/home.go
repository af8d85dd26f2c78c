package handlers

import (
	"context"
)

// Home is the Slack App Home: the member's profile (or a Join button),
// the next meeting, open polls and, for coordinators, shortcuts. It never
// panics.
func (s *Service) Home(ctx context.Context, req Request) (r Reply) {
	c := s.newCall(ctx, req)
	defer s.recover(c, &r)
	blocks := []Block{Header{Text: c.T("home_title", nil)}}
	if c.Member != nil {
		p := c.profileReply(c.Member)
		blocks = append(blocks, p.Blocks[1:]...)
		blocks = append(blocks, Actions{Buttons: []Button{{ActionID: "signup_open", Label: c.T("home_edit", nil)}}})
	} else {
		blocks = append(blocks, Section{Text: c.T("home_not_member", nil)},
			Actions{Buttons: []Button{{ActionID: "signup_open", Label: c.T("home_join", nil), Style: StylePrimary}}})
	}
	blocks = append(blocks, s.nextMeetingBlocks(ctx, c)...)
	blocks = append(blocks, s.openPollBlocks(ctx, c)...)
	if c.Coordinator {
		blocks = append(blocks, Divider{}, Section{Text: c.T("home_coordinator", nil)}, Actions{Buttons: []Button{
			{ActionID: "gaps_show", Label: c.T("home_gaps", nil)},
			{ActionID: "stats_show", Label: c.T("home_stats", nil)},
			{ActionID: "coordinators_list", Label: c.T("home_coordinators", nil)},
		}})
	}
	return c.Reply("home", Ephemeral, blocks...)
}
