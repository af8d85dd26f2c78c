package handlers

import "context"

func (s *Service) registerMeetings() {}

// nextMeetingBlocks shows the next meeting on the App Home. Meetings own it.
func (s *Service) nextMeetingBlocks(ctx context.Context, c *call) []Block { return nil }
