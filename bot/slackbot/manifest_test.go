package slackbot

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// yamlList returns the "- item" lines directly under the first "key:" line
// of a YAML file: enough to read the manifests without a YAML dependency.
func yamlList(text, key string) []string {
	lines := strings.Split(text, "\n")
	var out []string
	for i, l := range lines {
		if strings.TrimSpace(l) != key+":" {
			continue
		}
		for _, item := range lines[i+1:] {
			v, ok := strings.CutPrefix(strings.TrimSpace(item), "- ")
			if !ok {
				break
			}
			out = append(out, v)
		}
		break
	}
	return out
}

// yamlValues returns every value of "key: value" lines.
func yamlValues(text, key string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+": "); ok {
			out = append(out, strings.Trim(v, `"`))
		}
	}
	return out
}

func TestManifests(t *testing.T) {
	t.Parallel()
	// The scopes copbot's calls need: chat.postMessage, chat.postEphemeral and
	// chat.update (chat:write), users.info (users:read), the slash command
	// (commands), app_mention (app_mentions:read), message.im (im:history),
	// conversations.history in a public or private community channel, to
	// find a keyed post whose answer was lost (channels:history,
	// groups:history), and the report's external file upload
	// (files.getUploadURLExternal, files.completeUploadExternal: files:write).
	// views.open and views.publish need no scope.
	wantScopes := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "files:write", "groups:history", "im:history", "users:read"}
	wantEvents := []string{"app_home_opened", "app_mention", "message.im"}
	var fx map[string]any
	if err := json.Unmarshal([]byte(fixture(t, "app_manifest_socket_mode.json")), &fx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"manifest.yaml", "manifest-socket.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for key := range fx {
			if !strings.HasPrefix(key, "$") && !strings.Contains(text, "\n"+key+":") {
				t.Errorf("%s: no top-level %q section (the fixture manifest has one)", name, key)
			}
		}
		if got := yamlList(text, "bot"); !slices.Equal(got, wantScopes) {
			t.Errorf("%s: bot scopes %v, want exactly %v", name, got, wantScopes)
		}
		if got := yamlList(text, "bot_events"); !slices.Equal(got, wantEvents) {
			t.Errorf("%s: bot events %v, want %v", name, got, wantEvents)
		}
		if got := yamlValues(text, "- command"); !slices.Equal(got, []string{"/cop"}) {
			t.Errorf("%s: commands %v", name, got)
		}
		socket := name == "manifest-socket.yaml"
		if got := yamlValues(text, "socket_mode_enabled"); !slices.Equal(got, []string{strconv.FormatBool(socket)}) {
			t.Errorf("%s: socket_mode_enabled %v", name, got)
		}
		urls := append(yamlValues(text, "url"), yamlValues(text, "request_url")...)
		if socket && len(urls) != 0 {
			t.Errorf("%s: Socket Mode manifest has URLs %v", name, urls)
		}
		if !socket {
			checkManifestURLs(t, urls)
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
