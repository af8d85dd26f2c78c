package handlers

func (s *Service) registerMeetings() {}
