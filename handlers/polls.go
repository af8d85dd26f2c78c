package handlers

import (
	"context"

	"copbot/scheduler"
)

func (s *Service) registerPolls() {}

// openPollBlocks lists open polls on the App Home. Polls own it.
func (s *Service) openPollBlocks(ctx context.Context, c *call) []Block { return nil }

// pollJobs lists the poll closings (and vote reminders) still to run.
func (s *Service) pollJobs(ctx context.Context) ([]scheduler.Job, error) { return nil, nil }
