// Package features is the one list of copbot's features: it installs each
// feature package into a handlers core, in the order help lists their
// commands. The app and the end-to-end tests build their Service here.
package features

import (
	"log/slog"
	"time"

	"copbot/handlers"
	"copbot/handlers/polls"
	"copbot/handlers/report"
	"copbot/storage"
)

// Set is every installed feature, for the app's own entry points (the
// calendar feed, exports, the report page).
type Set struct {
	Polls  *polls.Feature
	Report *report.Feature
}

// Install adds every feature to svc, once, before it handles requests.
func Install(svc *handlers.Service) *Set {
	handlers.InstallDirectory(svc)
	handlers.InstallMeetings(svc)
	f := &Set{Polls: polls.Install(svc, polls.Deps{Meetings: handlers.MeetingTitles{}})}
	f.Report = report.Install(svc, report.Deps{Meetings: handlers.MeetingTitles{}, Directory: handlers.DirectoryTexts{}})
	return f
}

// New builds a Service with every feature installed.
func New(store *storage.DB, opts handlers.Options, now func() time.Time, log *slog.Logger) (*handlers.Service, *Set, error) {
	svc, err := handlers.New(store, opts, now, log)
	if err != nil {
		return nil, nil, err
	}
	return svc, Install(svc), nil
}
