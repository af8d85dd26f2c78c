package slackbot

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"copbot/bot/internal/admission/admissiontest"
	"copbot/bot/slackbot/slacktest"
)

// TestUnauthenticatedFloodCannotStarveSignedRequests is issue 16's finding
// 5: 1,100 slow-body connections without credentials took every admission
// slot before their body was read, and every signed request got 503 while
// they lasted. Bodies are now read before authentication with a few per
// peer address and a short deadline, and only a verified request takes a
// place among those in progress: signed requests from Slack's address are
// answered throughout a flood from 40 other addresses (enough places, 40 ×
// perPeer, to fill all 1,024 if reading came after admission).
func TestUnauthenticatedFloodCannotStarveSignedRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("1,100 connections")
	}
	e := newEnv(t)
	e.join(marie())
	forged := map[string]string{slacktest.TimestampHeader: fmt.Sprint(e.now().Unix()),
		slacktest.SignatureHeader: "v0=" + fmt.Sprintf("%064x", 0)}
	flood := admissiontest.SlowBodies(t, e.srv.Listener.Addr().String(), admissiontest.Addresses(40),
		"/slack/commands", forged, 1100)
	admissiontest.WaitFor(t, "every flood connection to reach a handler", func() bool {
		return e.a.intake.Reading()+int(e.a.intake.Refused()+e.a.limit.Refused()) >= 1100
	})
	slack := admissiontest.ClientFrom("127.0.0.2")
	for i := range 20 {
		form := url.Values{"command": {"/cop"}, "text": {"who Ontario"}, "user_id": {"U0ASKER"},
			"channel_id": {"C0CHAN"}, "response_url": {"https://hooks.slack.com/commands/T0/1/flood"},
			"trigger_id": {fmt.Sprint("flood.", i)}}.Encode()
		resp, err := slack.Do(slacktest.SignedRequest(e.srv.URL+"/slack/commands", testSecret, e.now(), formType, form))
		if err != nil {
			t.Fatalf("signed request %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("signed request %d during the flood: status %d, want 200", i, resp.StatusCode)
		}
	}
	if got := e.a.limit.Refused(); got != 0 {
		t.Errorf("%d requests refused as too many in progress, want 0: the flood holds no place", got)
	}
	flood.Stop()
	t.Logf("flood: %v; intake refused %d", flood, e.a.intake.Refused())
}
