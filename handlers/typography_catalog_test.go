package handlers

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pluralCounts picks a count for each French plural category.
var pluralCounts = map[string]int{"one": 1, "many": 1000000, "other": 2, "": 0}

// TestFrenchCatalogTypography renders every French catalog message (each
// plural form) and checks the typography rules on the result.
func TestFrenchCatalogTypography(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(localeFS, "locales/*.fr.toml")
	n := 0
	for _, f := range files {
		for id, m := range loadCatalog(t, f) {
			for form := range m.forms {
				got := renderForTest(tr, id, form, m.fields)
				if got == id {
					t.Errorf("%s: %s %s did not render", f, id, form)
					continue
				}
				n++
				for _, p := range FrenchTypographyProblems(got) {
					t.Errorf("%s: %s %s: %s\n%q", f, id, form, p, got)
				}
			}
		}
	}
	if n < 200 {
		t.Errorf("only %d French messages checked", n)
	}
}

// renderForTest renders id in French with a placeholder word for every
// template field (an int where the template compares numbers).
func renderForTest(tr *Translator, id, form string, fields map[string]bool) string {
	for _, asInt := range []bool{false, true} {
		data := map[string]any{}
		for f := range fields {
			if asInt || f == "Day" {
				data[f] = 3
			} else {
				data[f] = "Xy"
			}
		}
		var got string
		if form == "" {
			got = tr.T("fr", id, data)
		} else {
			got = tr.N("fr", id, pluralCounts[form], data)
		}
		if got != id && !strings.Contains(got, "<no value>") {
			return got
		}
	}
	return id
}

// TestFrenchGoldenTypography checks every string of the French golden
// replies of both adapters (regenerate them with go test -update).
func TestFrenchGoldenTypography(t *testing.T) {
	dirs := []string{"../bot/slackbot/testdata/golden", "../bot/teamsbot/testdata/golden"}
	n := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.fr.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no French goldens in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), "bilingual") {
				continue // both languages in one reply; poll.fr.json holds the French half
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, s := range jsonStrings(v) {
				n++
				for _, p := range FrenchTypographyProblems(s) {
					t.Errorf("%s: %s\n%q", filepath.Base(f), p, s)
				}
			}
		}
	}
	t.Logf("%d strings checked", n)
}

func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}
