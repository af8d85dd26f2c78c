package features

import (
	"context"
	"copbot/handlers"
	"copbot/storage"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRateLimitedRequestsChangeNothing spends a Slack coordinator's
// allowance, then sends a command, a click and a form: each is refused in
// the sender's language with the wait, and nothing is written.
func TestRateLimitedRequestsChangeNothing(t *testing.T) {
	coord := storage.Identity{Platform: storage.PlatformSlack, ID: "UCOORD"}
	tests := []struct {
		name, locale, want string
		send               func(s *handlers.Service, req handlers.Request) handlers.Reply
	}{
		{"command", "en", "Please try again in 60 seconds.", func(s *handlers.Service, req handlers.Request) handlers.Reply {
			req.Text = "meeting add 2026-06-17 13:00 Extra"
			return s.Handle(context.Background(), req)
		}},
		{"command in French", "fr-CA", "Veuillez réessayer dans 60 secondes.", func(s *handlers.Service, req handlers.Request) handlers.Reply {
			req.Text = "réunion ajouter 2026-06-17 13:00 Extra"
			return s.Handle(context.Background(), req)
		}},
		{"click", "en", "Please try again in 60 seconds.", func(s *handlers.Service, req handlers.Request) handlers.Reply {
			return s.Act(context.Background(), req, "signup_open", "")
		}},
		{"form", "en", "Please try again in 60 seconds.", func(s *handlers.Service, req handlers.Request) handlers.Reply {
			r, _ := s.Submit(context.Background(), req, "join", "", map[string]string{"name": "Ann Lee"})
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, func(o *handlers.Options) {
				o.Coordinators = append(o.Coordinators, coord)
				o.RateLimit = handlers.RateLimit{Burst: 2, Every: time.Minute}
			})
			req := handlers.Request{Identity: coord, UserName: "Coord", Locale: tt.locale}
			for _, text := range []string{"meeting add 2026-06-17 10:00 One", "meeting add 2026-09-16 10:00 Two"} {
				req.Text = text
				if r := s.Handle(context.Background(), req); r.Kind == "error" {
					t.Fatalf("%s: %s", text, r.Text)
				}
			}
			before := mtSnapshot(t, db)
			r := tt.send(s, req)
			if r.Kind != "error" || !strings.Contains(r.Text, tt.want) {
				t.Errorf("reply %s %q, want an error containing %q", r.Kind, r.Text, tt.want)
			}
			if after := mtSnapshot(t, db); after != before {
				t.Errorf("database changed: %s → %s", before, after)
			}
			// The console (the operator's own terminal) is not limited.
			if r := mtAsk(s, "coord", "", "help"); r.Kind == "error" {
				t.Errorf("console refused: %s", r.Text)
			}
		})
	}
}

// mtSnapshot summarizes what requests can write: members and meetings.
func mtSnapshot(t testing.TB, db *storage.DB) string {
	t.Helper()
	_, members, err := db.FindMembers(context.Background(), storage.MemberFilter{IncludeLeft: true})
	if err != nil {
		t.Fatal(err)
	}
	meetings, err := db.FindMeetings(context.Background(), storage.MeetingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d members, %d meetings", members, len(meetings))
}
