package slackbot

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"copbot/bot/internal/schemacheck"
)

// slackManifest is the part of an app manifest these tests read.
type slackManifest struct {
	DisplayInformation struct {
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		LongDescription string `yaml:"long_description"`
	} `yaml:"display_information"`
	Features struct {
		SlashCommands []struct {
			Command     string `yaml:"command"`
			URL         string `yaml:"url"`
			Description string `yaml:"description"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketModeEnabled bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

var manifestFiles = []string{"manifest.yaml", "manifest-socket.yaml"}

// readManifest decodes a YAML manifest twice: into the typed view above
// and into a generic document for the schema.
func readManifest(t *testing.T, name string) (slackManifest, any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m slackManifest
	var doc any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m, doc
}

// TestManifestsMatchSlackSchema validates both manifests against Slack's
// published app manifest schema (testdata/schema): what "Create from
// manifest" accepts. It caught a 152-character description (the limit is
// 140) that made the app impossible to create.
func TestManifestsMatchSlackSchema(t *testing.T) {
	t.Parallel()
	s, err := schemacheck.Load("testdata/schema/slack-manifest-1.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range manifestFiles {
		m, doc := readManifest(t, name)
		for _, e := range s.Validate(doc) {
			t.Errorf("%s: %s", name, e)
		}
		// Both languages in what Slack shows: the description, the long
		// description and the slash command's description.
		d := m.DisplayInformation
		for _, text := range []string{d.Description, d.LongDescription, m.Features.SlashCommands[0].Description} {
			if !strings.Contains(text, "/") || !strings.ContainsAny(text, "éèà") {
				t.Errorf("%s: %q is not in English and French", name, text)
			}
		}
	}
}

// TestSchemaRefusesTodaysLimits: the schema check is real: a description
// one character over Slack's limit fails it.
func TestSchemaRefusesTodaysLimits(t *testing.T) {
	t.Parallel()
	s, err := schemacheck.Load("testdata/schema/slack-manifest-1.json")
	if err != nil {
		t.Fatal(err)
	}
	_, doc := readManifest(t, "manifest.yaml")
	doc.(map[string]any)["display_information"].(map[string]any)["description"] = strings.Repeat("d", 141)
	if errs := s.Validate(doc); len(errs) == 0 {
		t.Fatal("a 141-character description passed the schema")
	}
}

func TestManifests(t *testing.T) {
	t.Parallel()
	// The scopes copbot's calls need: chat.postMessage, chat.postEphemeral and
	// chat.update (chat:write), users.info (users:read), the slash command
	// (commands), app_mention (app_mentions:read), message.im (im:history),
	// conversations.history in a public or private community channel, to
	// find a keyed post whose answer was lost (channels:history,
	// groups:history), and the external file uploads of the report and the
	// exports (files.getUploadURLExternal, files.completeUploadExternal:
	// files:write). views.open and views.publish need no scope. An install
	// in another workspace (/slack/install) asks the installer for the
	// community channel (incoming-webhook), and asks for exactly these.
	wantScopes := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "files:write", "groups:history", "im:history", "incoming-webhook", "users:read"}
	if !slices.Equal(InstallScopes, wantScopes) {
		t.Errorf("an install asks for %v, want the manifests' %v", InstallScopes, wantScopes)
	}
	// app_uninstalled and tokens_revoked delete a workspace's token
	// (workspaces.go); Slack sends them only to apps subscribed.
	wantEvents := []string{"app_home_opened", "app_mention", "app_uninstalled", "message.im", "tokens_revoked"}
	var fx map[string]any
	if err := json.Unmarshal([]byte(fixture(t, "app_manifest_socket_mode.json")), &fx); err != nil {
		t.Fatal(err)
	}
	for _, name := range manifestFiles {
		m, doc := readManifest(t, name)
		for key := range fx {
			if _, ok := doc.(map[string]any)[key]; !ok && !strings.HasPrefix(key, "$") {
				t.Errorf("%s: no top-level %q section (the fixture manifest has one)", name, key)
			}
		}
		if got := m.OAuthConfig.Scopes.Bot; !slices.Equal(got, wantScopes) {
			t.Errorf("%s: bot scopes %v, want exactly %v", name, got, wantScopes)
		}
		if got := m.Settings.EventSubscriptions.BotEvents; !slices.Equal(got, wantEvents) {
			t.Errorf("%s: bot events %v, want %v", name, got, wantEvents)
		}
		if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/cop" {
			t.Errorf("%s: commands %+v", name, m.Features.SlashCommands)
		}
		socket := name == "manifest-socket.yaml"
		if m.Settings.SocketModeEnabled != socket {
			t.Errorf("%s: socket_mode_enabled %v", name, m.Settings.SocketModeEnabled)
		}
		var urls []string
		for _, u := range []string{m.Features.SlashCommands[0].URL, m.Settings.EventSubscriptions.RequestURL, m.Settings.Interactivity.RequestURL} {
			if u != "" {
				urls = append(urls, u)
			}
		}
		if socket && len(urls) != 0 {
			t.Errorf("%s: Socket Mode manifest has URLs %v", name, urls)
		}
		if !socket {
			checkManifestURLs(t, urls)
		}
		if n := utf8.RuneCountInString(m.DisplayInformation.Description); n > 140 {
			t.Errorf("%s: description of %d characters", name, n)
		}
	}
}

// checkManifestURLs checks that the HTTP manifest points at exactly the
// routes Register serves.
func checkManifestURLs(t *testing.T, urls []string) {
	t.Helper()
	mux := http.NewServeMux()
	(&Adapter{}).Register(mux)
	if len(urls) != 3 {
		t.Errorf("manifest URLs %v, want the three callback routes", urls)
	}
	for _, u := range urls {
		i := strings.Index(u, "/slack/")
		if i < 0 {
			t.Errorf("manifest URL %s is not under /slack/", u)
			continue
		}
		req, _ := http.NewRequest(http.MethodPost, "https://copbot.example.gc.ca"+u[i:], nil)
		if _, pattern := mux.Handler(req); pattern == "" {
			t.Errorf("manifest URL %s is not a route the adapter serves", u)
		}
	}
}
