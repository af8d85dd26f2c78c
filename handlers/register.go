package handlers

// The features still in the core package while issue 14 moves them out
// one by one (the polls are handlers/polls). Each is installed like a
// feature package: through Service.Install.

// InstallDirectory adds membership, the directory and coverage.
func InstallDirectory(s *Service) { s.registerMembers() }

// InstallMeetings adds meetings and their reminders.
func InstallMeetings(s *Service) { s.registerMeetings() }

// InstallReport adds the report, challenges and outreach.
func InstallReport(s *Service) { s.registerReport() }
