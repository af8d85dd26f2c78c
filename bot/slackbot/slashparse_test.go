package slackbot

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestParseSlashAgreesWithSlackGo: parseSlash decodes what slack-go's
// SlashCommandParse decodes, field for field, from Slack's real payloads
// and from forms it refuses, so that skipping the *http.Request changes
// nothing but the allocations.
func TestParseSlashAgreesWithSlackGo(t *testing.T) {
	bodies := map[string]string{}
	for _, name := range []string{"slash_command_docs_example.form", "slash_command_real_modified.form", "slash_command_signed.form"} {
		bodies[name] = strings.TrimSpace(fixture(t, name))
	}
	bodies["enterprise"] = "is_enterprise_install=true&enterprise_id=E1&enterprise_name=Gov&user_id=U1&text=qui+Yukon"
	bodies["empty"] = ""
	bodies["semicolon"] = "user_id=U1;text=who"
	bodies["bad escape"] = "user_id=U1&text=%zz"
	bodies["repeated"] = "text=who&text=gaps&user_id=U1"
	for name, body := range bodies {
		want, wantErr := slack.SlashCommandParse(&http.Request{Method: http.MethodPost,
			Header: http.Header{"Content-Type": {formType}}, Body: io.NopCloser(bytes.NewReader([]byte(body)))})
		got, err := parseSlash([]byte(body))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, slack-go's %v", name, err, wantErr)
			continue
		}
		if err == nil && got != want {
			t.Errorf("%s:\ngot  %+v\nwant %+v", name, got, want)
		}
	}
}
