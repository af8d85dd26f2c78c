package handlers

// register installs every feature's commands, button actions and forms.
// Each feature keeps its own register function in its own file.
func (s *Service) register() {
	s.registerMembers()
	s.registerMeetings()
	s.registerPolls()
	s.registerReport()
}
