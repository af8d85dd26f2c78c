package teamsbot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"copbot/bot/internal/schemacheck"
	"copbot/handlers"
	"copbot/storage"
)

// TestManifest checks the app manifest template: it parses, names the
// bot by placeholder, and every command it lists (English, and French in
// fr-ca.json) is one the Service knows.
func TestManifest(t *testing.T) {
	var m struct {
		ID   string `json:"id"`
		Bots []struct {
			BotID        string `json:"botId"`
			CommandLists []struct {
				Commands []struct{ Title, Description string } `json:"commands"`
			} `json:"commandLists"`
		} `json:"bots"`
		LocalizationInfo struct {
			AdditionalLanguages []struct{ LanguageTag, File string } `json:"additionalLanguages"`
		} `json:"localizationInfo"`
	}
	readJSON(t, "manifest/manifest.json", &m)
	if m.ID != "{{TEAMS_APP_ID}}" || len(m.Bots) != 1 || m.Bots[0].BotID != "{{MICROSOFT_APP_ID}}" {
		t.Fatalf("manifest ids: app %q, bots %+v", m.ID, m.Bots)
	}
	var fr map[string]string
	readJSON(t, "manifest/"+m.LocalizationInfo.AdditionalLanguages[0].File, &fr)
	for _, icon := range []string{"manifest/color.png", "manifest/outline.png"} {
		if _, err := os.Stat(icon); err != nil {
			t.Error(err)
		}
	}

	svc, _ := realService(t, newClock().Now)
	for i, c := range m.Bots[0].CommandLists[0].Commands {
		key := fmt.Sprintf("bots[0].commandLists[0].commands[%d].", i)
		if fr[key+"title"] == "" || fr[key+"description"] == "" {
			t.Errorf("fr-ca.json lacks command %d (%s)", i, c.Title)
		}
		for lang, title := range map[string]string{"en": c.Title, "fr": fr[key+"title"]} {
			if !known(t, svc, lang, title) {
				t.Errorf("%s manifest command %q is not a copbot command", lang, title)
			}
		}
	}
}

// installable returns the manifest as an administrator uploads it: the
// README's step 1 fills the placeholders with real ids and the host.
func installable(t *testing.T) []byte {
	b, err := os.ReadFile("manifest/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{TEAMS_APP_ID}}", "0b5a3f2e-8c1d-4e7a-9f60-2d4b8e1c7a93",
		"{{MICROSOFT_APP_ID}}", testAppID, "{{PUBLIC_HOST}}", "copbot.example.gc.ca").Replace(string(b)))
}

// TestManifestMatchesTeamsSchema validates the app package against the
// published schemas of the manifest version it declares (testdata/schema):
// manifest.json against the 1.19 manifest schema, and every localization
// file it lists against the 1.19 localization schema. It caught a
// 36-character developer name (Teams refuses more than 32).
func TestManifestMatchesTeamsSchema(t *testing.T) {
	manifest := installable(t)
	var m struct {
		ManifestVersion  string `json:"manifestVersion"`
		LocalizationInfo struct {
			AdditionalLanguages []struct{ LanguageTag, File string } `json:"additionalLanguages"`
		} `json:"localizationInfo"`
		Bots []struct {
			SupportsFiles bool `json:"supportsFiles"`
		} `json:"bots"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	if m.ManifestVersion != "1.19" {
		t.Fatalf("manifestVersion %q: copy that version's schemas into testdata/schema", m.ManifestVersion)
	}
	s, err := schemacheck.Load("testdata/schema/teams-1.19.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range s.ValidateJSON(manifest) {
		t.Errorf("manifest.json: %s", e)
	}
	loc, err := schemacheck.Load("testdata/schema/teams-loc-1.19.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.LocalizationInfo.AdditionalLanguages) == 0 {
		t.Fatal("no French localization")
	}
	for _, l := range m.LocalizationInfo.AdditionalLanguages {
		b, err := os.ReadFile("manifest/" + l.File)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range loc.ValidateJSON(b) {
			t.Errorf("%s: %s", l.File, e)
		}
	}
	// Files reach people through the file consent card, which Teams shows
	// only for bots that declare files.
	if len(m.Bots) != 1 || !m.Bots[0].SupportsFiles {
		t.Error("bots[0].supportsFiles must be true: reports, exports and long answers are sent as files")
	}
	// The check is real: one character over a limit fails it.
	var doc map[string]any
	json.Unmarshal(manifest, &doc)
	doc["developer"].(map[string]any)["name"] = strings.Repeat("n", 33)
	if errs := s.Validate(doc); len(errs) == 0 {
		t.Error("a 33-character developer name passed the schema")
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// known reports whether the Service treats name as a command: its answer
// is not the unknown-command error it gives a made-up word.
func known(t *testing.T, svc *handlers.Service, lang, name string) bool {
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "aad-m"}, Locale: lang + "-CA"}
	ask := func(text string) string {
		r := req
		r.Text = text
		return svc.Handle(context.Background(), r).Text
	}
	unknown, got := ask("zzqqx"), ask(name)
	// The error may quote the word as typed or folded ("réunions", "reunions").
	return got != strings.ReplaceAll(unknown, "zzqqx", name) && got != strings.ReplaceAll(unknown, "zzqqx", handlers.Fold(name))
}

// TestManifestTypography checks the texts users see in the Teams app
// store: curly apostrophes (’) as in the message catalogs, and in French a
// space before the colon.
func TestManifestTypography(t *testing.T) {
	var en any
	readJSON(t, "manifest/manifest.json", &en)
	var fr map[string]any
	readJSON(t, "manifest/fr-ca.json", &fr)
	delete(fr, "$schema")
	texts := map[string][]string{"manifest.json": jsonStrings(en, nil), "fr-ca.json": jsonStrings(fr, nil)}
	for file, list := range texts {
		if len(list) < 5 {
			t.Fatalf("%s: only %d texts found", file, len(list))
		}
		for _, s := range list {
			if strings.HasPrefix(s, "http") || strings.HasPrefix(s, "{{") {
				continue
			}
			if strings.Contains(s, "'") {
				t.Errorf("%s: straight apostrophe in %q, use ’", file, s)
			}
			if file == "fr-ca.json" && frenchColon.MatchString(s) {
				t.Errorf("%s: no space before the colon in %q", file, s)
			}
		}
	}
}

// frenchColon matches a colon glued to the preceding word.
var frenchColon = regexp.MustCompile(`[^\s\x{00a0}\x{202f}]:`)

// jsonStrings collects the string values of a decoded JSON document.
func jsonStrings(v any, out []string) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, e := range v {
			out = jsonStrings(e, out)
		}
	case map[string]any:
		for _, e := range v {
			out = jsonStrings(e, out)
		}
	}
	return out
}
