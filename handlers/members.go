package handlers

import "context"

func (s *Service) registerMembers() {}

func (s *Service) help(ctx context.Context, c *call) Reply { return Reply{} }

func (s *Service) question(ctx context.Context, c *call) (Reply, bool) { return Reply{}, false }
