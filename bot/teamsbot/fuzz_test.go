package teamsbot

import (
	"encoding/json"
	"strings"
	"testing"

	"copbot/storage"
)

// FuzzActivity parses any body as a Bot Framework activity the way
// serveMessages does after the token check, and reads everything the
// adapter reads from it: nothing panics, the command text is normalized,
// and a card submission is either a button or a form, never both.
// Seeds: the captured activities in /work/shared/fixtures/teams and the
// corpus in testdata/fuzz.
func FuzzActivity(f *testing.F) {
	for _, name := range []string{"teams-channel-message-at-mention.json", "teams-conversationupdate-bot-added-to-team.json",
		"teams-invoke-adaptivecard-action-execute.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"type":"message","id":"1","text":"<at>copbot</at> who <at>Jane</at>","value":{"form":"join","in_name":"Ann"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		act := &activity{}
		if json.Unmarshal(body, act) != nil {
			return
		}
		text := act.commandText()
		if text != strings.Join(strings.Fields(text), " ") {
			t.Fatalf("command text %q is not trimmed to single spaces", text)
		}
		req := act.request(text)
		if req.Identity.Platform != storage.PlatformTeams || req.Text != text {
			t.Fatalf("request %+v", req)
		}
		if k := activityKey(act, body); k == "" || strings.HasPrefix(k, "teams:content:") != (act.ID == "") {
			t.Fatalf("activity key %q for id %q", k, act.ID)
		}
		_, _, _ = act.personal(), act.tenant(), act.locale()
		_ = act.botAdded()
		for _, parse := range []func(json.RawMessage) (submission, error){invokeValue, messageValue} {
			sub, err := parse(act.Value)
			if err != nil {
				continue
			}
			if sub.Form != "" && sub.Action != "" || sub.Form == "" && sub.Inputs != nil {
				t.Fatalf("submission is both a form and a button: %+v", sub)
			}
		}
	})
}
