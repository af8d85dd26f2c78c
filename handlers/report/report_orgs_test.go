package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/storage"
)

// TestReportCountsOrganizationsByEntry is issue 17's finding: members from
// "Service Canada" (part of ESDC), "EDSC", "ESDC" and "Employment and
// Social Development Canada" are one federal department in the report.
func TestReportCountsOrganizationsByEntry(t *testing.T) {
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(time.Date(2026, 10, 1, 15, 0, 0, 0, time.UTC)),
		Install: func(s *handlers.Service) {
			f = Install(s, Deps{Meetings: meetings.Install(s, meetings.Options{}), Directory: directory.Install(s)}, Options{})
		}})
	for i, org := range []string{"Service Canada", "EDSC", "ESDC", "Employment and Social Development Canada"} {
		if _, _, err := e.DB.JoinMember(context.Background(), storage.MemberInput{Name: fmt.Sprintf("P%d", i), Organization: org,
			Order: storage.OrderFederal, ConsoleID: fmt.Sprintf("p%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	e.Clock.Set(reportNow)
	for lang, want := range map[string]string{"en": "4 people representing 1 federal department.",
		"fr": "4 personnes représentant 1 ministère fédéral."} {
		if got := renderReport(t, f, lang, Markdown); !strings.Contains(got, want) {
			t.Errorf("%s report lacks %q:\n%s", lang, want, got)
		}
	}
}
