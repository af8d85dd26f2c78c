package handlers

import "context"

func (s *Service) registerPolls() {}

// openPollBlocks lists open polls on the App Home. Polls own it.
func (s *Service) openPollBlocks(ctx context.Context, c *call) []Block { return nil }
