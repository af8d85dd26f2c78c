package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestActivitiesRegister: a coordinator keeps the planned activities with
// remarks in either language; the report lists the planned ones under the
// next period's plans and the one done in the period among its activities.
func TestActivitiesRegister(t *testing.T) {
	e, clock, _ := newRcEnv(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"add", `activity add "Explore a collaborative workspace with ISAC" --remarks "ISAC offered a trial" --due 2027-06-30`,
			[]string{"Activity 1 is in the register", "Explore a collaborative workspace with ISAC", "Target date: June 30, 2027", "Remarks: ISAC offered a trial"}},
		{"French", `activité ajouter "Publier le bulletin trimestriel" --remarques "Avec le Secrétariat"`,
			[]string{"L’activité nº\u00a02 est inscrite au registre", "Remarques\u00a0: Avec le Secrétariat", "Statut\u00a0: Prévue"}},
		{"third", `activity add "Survey members on meeting times"`, []string{"Activity 3 is in the register"}},
		{"edit", `activity edit 3 --remarks "Ask in the March meeting"`, []string{"Activity 3 is updated", "Remarks: Ask in the March meeting"}},
		{"clear", `activity edit 1 --due -`, []string{"Activity 1 is updated"}},
		{"bad date", `activity add "X" --due June`, []string{"“June” is not a date like 2027-06-30", "Nothing was changed"}},
		{"no text", `activity add`, []string{"Say what the activity is"}},
		{"unknown", `activity done 9`, []string{"There is no activity 9"}},
		{"done", `activity done 3`, []string{"Activity 3 is done", "Done on December 4, 2026"}},
		{"done twice", `activity done 3`, []string{"Activity 3 is already done"}},
		{"list", `activities`, []string{"Planned activities", "1. Explore a collaborative workspace with ISAC", "2. Publier", "3. Survey members"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { rcHas(t, e.ask(ptCoordinator, tt.text), tt.want...) })
	}
	if r := e.ask(ptCoordinator, "activity edit 1 --due -"); strings.Contains(r.Text, "Target date") {
		t.Errorf("the cleared date is still shown:\n%s", r.Text)
	}
	if as, _ := e.DB.Activities(context.Background()); len(as) != 3 {
		t.Fatalf("%d activities, want 3 (refusals changed nothing)", len(as))
	}
	clock.Add(time.Hour)
	render := func(p Period, lang string) string {
		var b bytes.Buffer
		if err := e.f.Report(context.Background(), &b, p, lang, Markdown); err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(b.String(), "\u00a0", " ")
	}
	p := Period{From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"### Other activities", "- Survey members on meeting times (done on December 4, 2026). Remarks: Ask in the March meeting",
			"## Activities planned for the next period", "### Other planned activities",
			"- Explore a collaborative workspace with ISAC Remarks: ISAC offered a trial", "- Publier le bulletin trimestriel Remarks: Avec le Secrétariat"}},
		{"fr", []string{"### Autres activités", "(faite le 4 décembre 2026)", "### Autres activités prévues", "Remarques : ISAC offered a trial"}},
	} {
		got := render(p, tt.lang)
		rest := got
		for _, w := range tt.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Fatalf("%s: missing or out of order %q in:\n%s", tt.lang, w, got)
			}
			rest = rest[i+len(w):]
		}
	}
	// A later period: the done activity is not among its activities.
	if got := render(Period{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}, "en"); strings.Contains(got, "Survey members") {
		t.Errorf("an activity done in December is in January's report")
	}
}
