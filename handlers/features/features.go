// Package features is the one list of copbot's features: it installs each
// feature package into a handlers core, in the order help lists their
// commands, and hands each the others it reads. The app and the
// end-to-end tests build their Service here.
package features

import (
	"log/slog"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/email"
	"copbot/handlers/meetings"
	"copbot/handlers/organizations"
	"copbot/handlers/polls"
	"copbot/handlers/privacy"
	"copbot/handlers/report"
	"copbot/storage"
)

// Options are the features' own settings (the core's are handlers.Options).
type Options struct {
	Meetings meetings.Options
	Report   report.Options
	Privacy  privacy.Options
	Email    email.Options
}

// Set is every installed feature, for the app's own entry points (the
// calendar feed, exports, the report page).
type Set struct {
	Directory     *directory.Feature
	Organizations *organizations.Feature
	Meetings      *meetings.Feature
	Polls         *polls.Feature
	Report        *report.Feature
	Privacy       *privacy.Feature
	Email         *email.Feature
}

// Install adds every feature to svc, once, before it handles requests.
func Install(svc *handlers.Service, o Options) *Set {
	f := &Set{Directory: directory.Install(svc)}
	f.Organizations = organizations.Install(svc)
	f.Meetings = meetings.Install(svc, o.Meetings)
	f.Polls = polls.Install(svc, polls.Deps{Meetings: f.Meetings})
	f.Report = report.Install(svc, report.Deps{Meetings: f.Meetings, Directory: f.Directory}, o.Report)
	f.Privacy = privacy.Install(svc, o.Privacy)
	f.Email = email.Install(svc, email.Deps{Meetings: f.Meetings, Polls: f.Polls}, o.Email)
	f.Meetings.AddStatus(f.Email.Status)
	return f
}

// New builds a Service with every feature installed, with default
// feature settings.
func New(store *storage.DB, opts handlers.Options, now func() time.Time, log *slog.Logger) (*handlers.Service, *Set, error) {
	return NewWith(store, opts, Options{}, now, log)
}

// NewWith builds a Service with every feature installed.
func NewWith(store *storage.DB, opts handlers.Options, o Options, now func() time.Time, log *slog.Logger) (*handlers.Service, *Set, error) {
	svc, err := handlers.New(store, opts, now, log)
	if err != nil {
		return nil, nil, err
	}
	return svc, Install(svc, o), nil
}
