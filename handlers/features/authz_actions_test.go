package features

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// The authorization matrix for what is not typed: every button click
// (Service.Act), every form submission (Service.Submit) and the App Home
// with each of its buttons, by the same four people on the same starting
// database as azMatrix. A refused click or submission must change nothing.

// azActions has one row per installed button action (see
// TestAuthorizationMatrixCoversActionsAndForms): its value as the button
// carries it ({who} is the clicker's identity, {soon} a time ahead as
// Unix seconds), and the wanted outcome for visitor, member (Ann), other
// member (Bob), coordinator.
var azActions = []struct {
	action, value string
	want          [4]authz
}{
	{"signup_open", "", [4]authz{allowed, allowed, allowed, allowed}},
	{"leave_confirm", "", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"gaps_show", "", [4]authz{allowed, allowed, allowed, allowed}},
	{"stats_show", "", [4]authz{allowed, allowed, allowed, allowed}},
	{"coordinators_list", "", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"directory_page", "ON||1", [4]authz{allowed, allowed, allowed, allowed}},
	{"rsvp_yes", "1", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"rsvp_no", "1", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"poll_vote", "1:2", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"poll_ballot", "1", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"poll_show", "1", [4]authz{allowed, allowed, allowed, allowed}},
	// Opening the add-option form is refused to whom its submission is.
	{"poll_add_option", "1", [4]authz{memberOnly, allowed, managerOnly, allowed}},
	// Each person erases only themselves (a visitor has nothing to erase).
	{"forget_confirm", "{soon} {who}", [4]authz{allowed, allowed, allowed, allowed}},
	{"forget_cancel", "", [4]authz{allowed, allowed, allowed, allowed}},
	// An organization suggestion's answer: each person's own held-back
	// profile only; with none waiting, it has expired and saves nothing.
	{"org_pick", "yes", [4]authz{otherError, otherError, otherError, otherError}},
}

// azValue fills in a row's value for the clicker who.
func azValue(value string, who storage.Identity) string {
	soon := fmt.Sprint(mtNow.Add(time.Minute).Unix())
	return strings.NewReplacer("{who}", who.String(), "{soon}", soon).Replace(value)
}

// azForms has one row per installed form: its state and values as the
// platform sends them back.
var azForms = []struct {
	form, state string
	values      map[string]string
	want        [4]authz
}{
	// A visitor's submission joins; a member's edits their own profile.
	{"signup", "", map[string]string{"name": "Vic Tor", "organization": "Ville de Laval", "order": "municipal",
		"jurisdiction": "QC", "language": "en"}, [4]authz{allowed, allowed, allowed, allowed}},
	{"poll_create", "", map[string]string{"question": "Theme for June?", "options": "A\nB"},
		[4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"poll_ballot", "1", map[string]string{"choice1": "2"}, [4]authz{memberOnly, allowed, allowed, allowed}},
	{"poll_add_option", "1", map[string]string{"label": "C"}, [4]authz{memberOnly, allowed, managerOnly, allowed}},
}

// azHomeButtons are the buttons each person's App Home must offer (by
// action id, URL buttons left out), in order; every one of them is then
// clicked as that person and must be allowed.
var azHomeButtons = [4][]string{
	{"signup_open", "poll_show"},
	{"signup_open", "rsvp_yes", "rsvp_no", "poll_show"},
	{"signup_open", "rsvp_yes", "rsvp_no", "poll_show"},
	{"signup_open", "rsvp_yes", "rsvp_no", "poll_show", "gaps_show", "stats_show", "coordinators_list"},
}

func TestAuthorizationMatrixActions(t *testing.T) {
	start := azStartDB(t)
	for _, row := range azActions {
		for i, who := range azRoles {
			t.Run(fmt.Sprintf("%s %s/%s", row.action, row.value, azNames[i]), func(t *testing.T) {
				s, path := azService(t, start)
				before := azDump(t, path)
				r := s.Act(context.Background(), handlers.Request{Identity: who, UserName: azNames[i]}, row.action, azValue(row.value, who))
				azCheck(t, s, path, before, who, r, row.want[i])
				if who == azCora {
					azAudited(t, path, before, row.want)
				}
			})
		}
	}
}

func TestAuthorizationMatrixForms(t *testing.T) {
	start := azStartDB(t)
	for _, row := range azForms {
		for i, who := range azRoles {
			t.Run(fmt.Sprintf("%s/%s", row.form, azNames[i]), func(t *testing.T) {
				s, path := azService(t, start)
				before := azDump(t, path)
				r, errs := s.Submit(context.Background(), handlers.Request{Identity: who, UserName: azNames[i]}, row.form, row.state, row.values)
				if r.Kind != "error" && len(errs) > 0 {
					t.Fatalf("reply %s with field errors %v", r.Kind, errs)
				}
				azCheck(t, s, path, before, who, r, row.want[i])
				if who == azCora {
					azAudited(t, path, before, row.want)
				}
			})
		}
	}
}

// TestAuthorizationMatrixHome opens each person's App Home: it must offer
// exactly the buttons of azHomeButtons, and each must work for them (a
// button that is shown but refused is a defect too).
func TestAuthorizationMatrixHome(t *testing.T) {
	start := azStartDB(t)
	for i, who := range azRoles {
		t.Run(azNames[i], func(t *testing.T) {
			s, _ := azService(t, start)
			home := s.Home(context.Background(), handlers.Request{Identity: who, UserName: azNames[i]})
			if home.Kind == "error" {
				t.Fatalf("home: %s", home.Text)
			}
			buttons := azButtons(home.Blocks)
			var ids []string
			for _, b := range buttons {
				ids = append(ids, b.ActionID)
			}
			if !slices.Equal(ids, azHomeButtons[i]) {
				t.Fatalf("home buttons %v, want %v", ids, azHomeButtons[i])
			}
			for _, b := range buttons {
				t.Run(b.ActionID, func(t *testing.T) {
					s, path := azService(t, start)
					before := azDump(t, path)
					r := s.Act(context.Background(), handlers.Request{Identity: who, UserName: azNames[i]}, b.ActionID, b.Value)
					azCheck(t, s, path, before, who, r, allowed)
				})
			}
		})
	}
}

// TestAuthorizationMatrixCoversActionsAndForms checks that every installed
// button action and form has a row, so that a new one cannot skip the
// audit, and that no row names one that is not installed.
func TestAuthorizationMatrixCoversActionsAndForms(t *testing.T) {
	s, _ := mtService(t, nil)
	var actions, forms []string
	for _, row := range azActions {
		actions = append(actions, row.action)
	}
	for _, row := range azForms {
		forms = append(forms, row.form)
	}
	for _, check := range []struct {
		what              string
		installed, listed []string
	}{{"action", s.ActionIDs(), actions}, {"form", s.FormIDs(), forms}} {
		for _, id := range check.installed {
			if !slices.Contains(check.listed, id) {
				t.Errorf("%s %q has no row in the authorization matrix", check.what, id)
			}
		}
		for _, id := range check.listed {
			if !slices.Contains(check.installed, id) {
				t.Errorf("the matrix has a row for %s %q, which is not installed", check.what, id)
			}
		}
	}
}

// azCheck compares r's outcome with want, and checks that a refusal left
// the database as it was (before) and is in Bob's language for Bob.
func azCheck(t *testing.T, s *handlers.Service, path, before string, who storage.Identity, r handlers.Reply, want authz) {
	t.Helper()
	got := azOutcome(s, who, r)
	if got != want {
		t.Fatalf("outcome %v, want %v; reply %s: %s", got, want, r.Kind, r.Text)
	}
	if got == allowed {
		return
	}
	if who == azBob && r.Lang != "fr" {
		t.Errorf("Bob (French) refused in %q: %s", r.Lang, r.Text)
	}
	if after := azDump(t, path); after != before {
		t.Errorf("refused, but the database changed:\n%s", azDiff(before, after))
	}
}

// azButtons lists the clickable buttons of blocks (URL buttons open a
// page and reach no handler).
func azButtons(blocks []handlers.Block) []handlers.Button {
	var out []handlers.Button
	for _, b := range blocks {
		if a, ok := b.(handlers.Actions); ok {
			for _, btn := range a.Buttons {
				if btn.URL == "" {
					out = append(out, btn)
				}
			}
		}
	}
	return out
}
