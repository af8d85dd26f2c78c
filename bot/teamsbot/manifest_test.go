package teamsbot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

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
