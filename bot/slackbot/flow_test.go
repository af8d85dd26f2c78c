package slackbot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// submissionPayload builds the view_submission Slack sends for the modal
// the adapter opened (the view argument of views.open), filled with values.
func submissionPayload(t testing.TB, view map[string]any, user string, values map[string]string) string {
	t.Helper()
	state := map[string]any{}
	for _, b := range view["blocks"].([]any) {
		blk := b.(map[string]any)
		id := blk["block_id"].(string)
		el := blk["element"].(map[string]any)
		v, ok := values[id]
		if !ok {
			continue
		}
		entry := map[string]any{"type": el["type"], "value": v}
		if el["type"] == "static_select" {
			entry = map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v,
				"text": map[string]any{"type": "plain_text", "text": v}}}
		}
		state[id] = map[string]any{el["action_id"].(string): entry}
	}
	v := map[string]any{"id": "V0001", "type": "modal", "callback_id": view["callback_id"],
		"private_metadata": view["private_metadata"], "blocks": view["blocks"], "state": map[string]any{"values": state}}
	p := map[string]any{"type": "view_submission", "user": map[string]any{"id": user, "name": "u"},
		"team": map[string]any{"id": "T0TEAM"}, "view": v, "trigger_id": "222.333.sub"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) openedView(n int) map[string]any {
	e.t.Helper()
	opens := e.fake.WaitFor("views.open", n, waitLimit)
	if len(opens) < n {
		e.t.Fatalf("%d views.open calls, want %d", len(opens), n)
	}
	return opens[n-1].JSON["view"].(map[string]any)
}

func TestJoinModalCreatesMember(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.SetLocale("U0NEW", "fr-CA")
	resp := e.command("join", "U0NEW")
	if resp.StatusCode != http.StatusOK || body(t, resp) != nil {
		t.Fatalf("join with no text: status %d, want an empty 200 ack", resp.StatusCode)
	}
	view := e.openedView(1)
	if got := e.fake.Calls("views.open")[0].JSON["trigger_id"]; got != "111.222.trig1" {
		t.Errorf("views.open trigger_id = %v", got)
	}
	if e.memberCount() != 0 {
		t.Fatal("opening the form created a member")
	}
	resp = e.interact(submissionPayload(t, view, "U0NEW", map[string]string{
		"name": "Élise Gagnon", "organization": "Services Québec", "order": "provincial",
		"jurisdiction": "QC", "title": "Directrice", "email": "", "language": "fr"}))
	if resp.StatusCode != http.StatusOK || body(t, resp) != nil {
		t.Fatalf("valid submission: status %d, want an empty 200 (modal closes)", resp.StatusCode)
	}
	m, err := e.db.MemberByIdentity(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0NEW"})
	if err != nil {
		t.Fatalf("member not created: %v", err)
	}
	if m.Name != "Élise Gagnon" || m.Jurisdiction != "QC" || m.Order != storage.OrderProvincial || m.Language != "fr" {
		t.Errorf("member = %+v", m)
	}
	e.a.Close()
	hooks := e.fake.Calls("hook")
	if len(hooks) != 1 || hooks[0].Path != "/commands/T0TEAM/1/cmd" || hooks[0].JSON["response_type"] != "ephemeral" {
		t.Fatalf("confirmation: %v, want one ephemeral post to the command's response_url", hooks)
	}
	if txt, _ := hooks[0].JSON["text"].(string); !strings.Contains(txt, "Élise Gagnon") {
		t.Errorf("confirmation %q does not name the new member", txt)
	}
}

func TestJoinModalFieldErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.command("join", "U0NEW")
	view := e.openedView(1)
	resp := e.interact(submissionPayload(t, view, "U0NEW", map[string]string{
		"name": "", "organization": "ServiceOntario", "order": "provincial", "jurisdiction": "CA", "language": "en"}))
	got := body(t, resp)
	if got["response_action"] != "errors" {
		t.Fatalf("ack = %v, want response_action errors", got)
	}
	ids := map[string]bool{}
	for _, b := range view["blocks"].([]any) {
		ids[b.(map[string]any)["block_id"].(string)] = true
	}
	errs := got["errors"].(map[string]any)
	if len(errs) == 0 {
		t.Fatal("no field errors")
	}
	for id, msg := range errs {
		if !ids[id] || msg == "" {
			t.Errorf("error %q: %q is not on an input block of the modal", id, msg)
		}
	}
	if errs["name"] == nil {
		t.Errorf("missing name not reported under the name field: %v", errs)
	}
	e.a.Close()
	if e.memberCount() != 0 || len(e.fake.Calls("hook"))+len(e.fake.Calls("chat.postMessage")) != 0 {
		t.Error("a refused form saved or posted something")
	}
}

// TestHomeJoinButton follows the App Home flow: the Join button opens the
// form, and its submission republishes the Home and confirms by DM.
func TestHomeJoinButton(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	click := `{"type":"block_actions","user":{"id":"U0HOME","name":"h"},"trigger_id":"333.444.home",
		"container":{"type":"view","view_id":"V0HOME"},"view":{"id":"V0HOME","type":"home"},
		"actions":[{"action_id":"signup_open","block_id":"b","type":"button","value":""}]}`
	if resp := e.interact(click); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	view := e.openedView(1)
	if meta := decodeMeta(view["private_metadata"].(string)); !meta.Home || meta.Form != "signup" {
		t.Errorf("metadata %+v, want the signup form marked as opened from Home", meta)
	}
	e.interact(submissionPayload(t, view, "U0HOME", map[string]string{"name": "Sam Lee",
		"organization": "City of Whitehorse", "order": "municipal", "jurisdiction": "YT", "language": "en"}))
	e.a.Close()
	if e.memberCount() != 1 {
		t.Fatalf("%d members, want 1", e.memberCount())
	}
	pubs, dms := e.fake.Calls("views.publish"), e.fake.Calls("chat.postMessage")
	if len(pubs) != 1 || pubs[0].JSON["user_id"] != "U0HOME" {
		t.Errorf("views.publish calls %v, want the Home republished for U0HOME", pubs)
	}
	if len(dms) != 1 || dms[0].Form.Get("channel") != "U0HOME" {
		t.Errorf("chat.postMessage calls %v, want one DM to U0HOME", dms)
	}
	if strings.Contains(mustJSON(t, pubs[0].JSON), "home_join") {
		t.Error("republished Home has an untranslated id")
	}
}

// gate holds a service call until the test opens it, so that a test can
// tell whether the adapter acknowledged before the service answered by the
// order of events rather than by a stopwatch.
type gate struct {
	open     chan struct{}
	answered atomic.Bool // the held call has returned
	stuck    atomic.Bool // the gate never opened: the ack waited for the call
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

// hold waits for the gate. The limit only turns a hang into a failure: a
// correct adapter acks, and the test opens the gate, well before it.
func (g *gate) hold() {
	select {
	case <-g.open:
	case <-time.After(waitLimit):
		g.stuck.Store(true)
	}
}

// release opens the gate after the ack came back, and fails the test if
// the held call had already answered or the ack only came once the gate
// gave up.
func (g *gate) release(t *testing.T) {
	t.Helper()
	answeredFirst := g.answered.Load()
	close(g.open)
	if answeredFirst || g.stuck.Load() {
		t.Fatalf("the ack waited for the service (answered first %v, gate timed out %v)", answeredFirst, g.stuck.Load())
	}
}

// gatedHandle holds Handle at its gate.
type gatedHandle struct {
	service
	*gate
}

func (s gatedHandle) Handle(ctx context.Context, req handlers.Request) handlers.Reply {
	defer s.answered.Store(true)
	s.hold()
	return s.service.Handle(ctx, req)
}

func TestSlowCommandAcksThenPostsToResponseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, lang string
		member           *storage.MemberInput
	}{
		{"non-member, community default", "U0ASKER", "en", nil},
		{"French member", "U0ELISE", "fr", &storage.MemberInput{Name: "Élise Gagnon",
			Organization: "Services Québec", Order: storage.OrderProvincial, Jurisdiction: "QC",
			Language: "fr", SlackID: "U0ELISE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGate()
			e := newEnv(t, withTuning(func(t *tuning) { t.budget = 20 * time.Millisecond }),
				withService(func(s service) service { return gatedHandle{s, g} }))
			e.join(marie())
			if tt.member != nil {
				e.join(*tt.member)
			}
			got := body(t, e.command("who Ontario", tt.user))
			g.release(t)
			if got["text"] != escape(e.svc.Translator().T(tt.lang, "slack_working", nil)) || got["response_type"] != "ephemeral" {
				t.Errorf("ack = %v, want the ephemeral working note in %s", got, tt.lang)
			}
			e.a.Close() // waits for the late answer
			hooks := e.fake.Calls("hook")
			if len(hooks) != 1 {
				t.Fatalf("%d response_url posts, want 1", len(hooks))
			}
			m, _ := e.a.messagePayload(e.svc.Handle(context.Background(), slackReq(tt.user, "who Ontario")))
			want := jsonOf(t, m)
			if hooks[0].JSON["text"] != want["text"] || !strings.Contains(want["text"].(string), "Marie Tremblay") {
				t.Errorf("late answer %v, want %v", hooks[0].JSON["text"], want["text"])
			}
		})
	}
}

// replaceService answers one test action with a Replace reply.
type replaceService struct{ service }

func (s replaceService) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	if id == "test_replace" {
		return handlers.Reply{Kind: "poll", Lang: "en", Text: "Votes: " + value, Replace: true,
			Visibility: handlers.InChannel, Blocks: []handlers.Block{handlers.Section{Text: "Votes: " + value}}}
	}
	return s.service.Act(ctx, req, id, value)
}

func TestBlockActionReplaceUpdatesClickedMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withService(func(s service) service { return replaceService{s} }))
	click := `{"type":"block_actions","user":{"id":"U0V"},"channel":{"id":"C0COMMUNITY"},
		"container":{"type":"message","message_ts":"1700000000.000001","channel_id":"C0COMMUNITY"},
		"response_url":"https://hooks.slack.com/actions/T0/1/abc","trigger_id":"1.2.3",
		"actions":[{"action_id":"test_replace#2","block_id":"b1","type":"button","value":"3"},
		{"action_id":"copbot_link_1","block_id":"b1","type":"button","value":""}]}`
	e.interact(click)
	e.a.Close()
	hooks := e.fake.Calls("hook")
	if len(hooks) != 1 {
		t.Fatalf("%d response_url posts, want 1 (link buttons route nowhere)", len(hooks))
	}
	if hooks[0].JSON["replace_original"] != true || hooks[0].JSON["text"] != "Votes: 3" || hooks[0].Path != "/actions/T0/1/abc" {
		t.Errorf("post %v, want replace_original with the new votes", hooks[0].JSON)
	}
}

// TestFormFallsBackToTextWhenModalFails: when views.open fails the person
// still gets the one-line way to join, through response_url.
func TestFormFallsBackToTextWhenModalFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for range 3 {
		e.fake.Fail("views.open", 500, "")
	}
	e.command("join", "U0NEW")
	e.a.Close()
	hooks := e.fake.Calls("hook")
	if len(hooks) != 1 {
		t.Fatalf("%d response_url posts, want 1", len(hooks))
	}
	signup := e.svc.Handle(context.Background(), slackReq("U0NEW", "join"))
	txt, _ := hooks[0].JSON["text"].(string)
	if !strings.Contains(txt, escape(e.svc.Translator().T("en", "slack_form_unavailable", nil))) ||
		!strings.Contains(txt, escape(signup.Text)) {
		t.Errorf("fallback %q, want the note and the one-line grammar %q", txt, signup.Text)
	}
	if e.memberCount() != 0 {
		t.Error("member created")
	}
}

func TestViewClosedIsNoOp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.interact(`{"type":"view_closed","user":{"id":"U0X"},"view":{"id":"V1","type":"modal","private_metadata":"{\"f\":\"signup\"}"},"is_cleared":false}`)
	if resp.StatusCode != http.StatusOK || body(t, resp) != nil {
		t.Errorf("view_closed: status %d, want an empty 200", resp.StatusCode)
	}
	e.a.Close()
	if len(e.fake.Writes()) != 0 || e.memberCount() != 0 {
		t.Error("view_closed did something")
	}
}
