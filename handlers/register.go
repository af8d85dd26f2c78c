package handlers

import "copbot/storage"

// The features still in the core package while issue 14 moves them out
// one by one (the polls are handlers/polls). Each is installed like a
// feature package: through Service.Install.

// InstallDirectory adds membership, the directory and coverage.
func InstallDirectory(s *Service) { s.registerMembers() }

// DirectoryTexts tells other features what the directory writes and reads:
// the Community's composition sentence, and the places and orders of
// government people type (the report's outreach targets).
type DirectoryTexts struct{}

// StatsSentence is "81 people representing 6 federal departments, …".
func (DirectoryTexts) StatsSentence(c *Call, st storage.Stats) string { return c.statsSentence(st) }

// MatchJurisdiction is the package's MatchJurisdiction.
func (DirectoryTexts) MatchJurisdiction(text string) (storage.Jurisdiction, bool) {
	return MatchJurisdiction(text)
}

// MatchOrder is the package's MatchOrder.
func (DirectoryTexts) MatchOrder(text string) (storage.Order, bool) { return MatchOrder(text) }
