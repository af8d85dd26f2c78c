package handlers

func (s *Service) registerPolls() {}
