package teamsbot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// signedPost sends an inbound fixture (already rewritten) with a valid token.
func signedPost(t *testing.T, f *fakeBF, b *bot, body []byte, serviceURL string) (int, []byte) {
	t.Helper()
	return b.post(t, "Bearer "+f.sign(f.claims(serviceURL), testKid), body)
}

// decode unmarshals a recorded body.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}

// cardOf returns the Adaptive Card attached to a recorded activity.
func cardOf(t *testing.T, activity map[string]any) map[string]any {
	t.Helper()
	atts, _ := activity["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("attachments = %v, want one card", activity["attachments"])
	}
	att := atts[0].(map[string]any)
	if att["contentType"] != cardContentType {
		t.Fatalf("contentType = %v", att["contentType"])
	}
	return att["content"].(map[string]any)
}

// TestFixtureChannelMention runs the real channel at-mention through the
// real Service: the reply is threaded under the message, carries the bot
// token, and is the card of what the Service answers.
func TestFixtureChannelMention(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	svc, _ := realService(t, clk.Now)
	b := startBot(t, f, f.config(), svc, svc.Translator())
	body, su := f.inbound("teams-channel-message-at-mention.json")

	if got, _ := signedPost(t, f, b, body, su); got != http.StatusOK {
		t.Fatalf("status = %d, want 200", got)
	}
	calls := f.recorded()
	if len(calls) != 1 {
		t.Fatalf("connector calls = %d, want 1: %+v", len(calls), calls)
	}
	conv := "19:6848757105754c8981c67612732d9aa7@thread.tacv2;messageid=1759881511856"
	wantPath := "/amer/50612dbb-0237-4969-b378-8d42590f9c00/v3/conversations/" + url.PathEscape(conv) + "/activities/1759944781430"
	if calls[0].Method != http.MethodPost || calls[0].Path != wantPath {
		t.Errorf("got %s %s, want POST %s", calls[0].Method, calls[0].Path, wantPath)
	}
	if calls[0].Auth != "Bearer bot-token-1" {
		t.Errorf("Authorization = %q, want the bot token", calls[0].Auth)
	}
	act := decode(t, calls[0].Body)
	if act["type"] != "message" || act["replyToId"] != "1759944781430" {
		t.Errorf("activity type/replyToId = %v/%v", act["type"], act["replyToId"])
	}
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "b15a9416-0ad3-4172-9210-7beb711d3f70"},
		UserName: "rido", Locale: "en-US", ChannelID: "19:6848757105754c8981c67612732d9aa7@thread.tacv2", Text: "reply to thread"}
	want := svc.Handle(context.Background(), req)
	if got := cardOf(t, act)["fallbackText"]; got != want.Text {
		t.Errorf("card fallbackText = %q, want the Service's answer %q", got, want.Text)
	}
}

// TestMessageRequest checks what the Service is asked for each message.
func TestMessageRequest(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	body, su := f.inbound("teams-channel-message-at-mention.json")
	personal := []byte(`{"type":"message","channelId":"msteams","id":"42","serviceUrl":"` + su + `",
		"text":"qui représente le Yukon ?","locale":"fr-CA","from":{"id":"29:abc","name":"Élise"},
		"recipient":{"id":"28:bot"},"conversation":{"id":"a:1","conversationType":"personal"}}`)
	tests := []struct {
		name string
		body []byte
		want handlers.Request
	}{
		{"channel mention", body, handlers.Request{ // the activity's tenant is the identity's workspace
			Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "b15a9416-0ad3-4172-9210-7beb711d3f70",
				Workspace: "50612dbb-0237-4969-b378-8d42590f9c00"},
			UserName: "rido", Locale: "en-US", ChannelID: "19:6848757105754c8981c67612732d9aa7@thread.tacv2",
			Text: "reply to thread"}},
		{"personal chat without aadObjectId", personal, handlers.Request{
			Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "29:abc"},
			UserName: "Élise", Locale: "fr-CA", ChannelID: "a:1", Text: "qui représente le Yukon ?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: textReply("error", "en", "no", 0)}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			if got, _ := signedPost(t, f, b, tt.body, su); got != 200 {
				t.Fatalf("status = %d", got)
			}
			calls := rec.got()
			if len(calls) != 1 || calls[0].Kind != "handle" || !reflect.DeepEqual(calls[0].Req, tt.want) {
				t.Errorf("calls = %+v, want one handle of %+v", calls, tt.want)
			}
		})
	}
}

func TestCommandText(t *testing.T) {
	bot := account{ID: "28:bot", Name: "copbot"}
	mention := func(id, text string) entity {
		return entity{Type: "mention", Text: text, Mentioned: &account{ID: id}}
	}
	tests := []struct {
		name, text string
		ents       []entity
		want       string
	}{
		{"bot mention first", "<at>copbot</at> who Ontario", []entity{mention("28:bot", "<at>copbot</at>")}, "who Ontario"},
		{"bot mention last, nbsp", "who\u00a0Yukon <at>copbot</at>", []entity{mention("28:bot", "<at>copbot</at>")}, "who Yukon"},
		{"other person kept", "<at>copbot</at> profile <at>Jane Doe</at>", []entity{
			mention("28:bot", "<at>copbot</at>"), mention("29:jane", "<at>Jane Doe</at>")}, "profile Jane Doe"},
		{"no entities", "<at>copbot</at>  stats", nil, "copbot stats"},
		{"personal chat", "  gaps  ", nil, "gaps"},
		{"mention only", "<at>copbot</at>", []entity{mention("28:bot", "<at>copbot</at>")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &activity{Text: tt.text, Entities: tt.ents, Recipient: bot}
			if got := a.commandText(); got != tt.want {
				t.Errorf("commandText() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFixtureInvoke runs the real Action.Execute invoke through the real
// Service. Its data names no copbot action, so the answer is the Service's
// translated "unknown action" error, as an invoke message response.
func TestFixtureInvoke(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	svc, _ := realService(t, clk.Now)
	b := startBot(t, f, f.config(), svc, svc.Translator())
	body, su := f.inbound("teams-invoke-adaptivecard-action-execute.json")

	status, out := signedPost(t, f, b, body, su)
	if status != 200 {
		t.Fatalf("status = %d, want 200", status)
	}
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "c5e99701-2a32-49c1-a660-4629ceeb8c61"},
		UserName: "Rido", Locale: "en-US", ChannelID: "a:17vxw6pGQOb3Zfh8acXT8m_PqHycYpaFgzu2mFMUfkT-h0UskMctq5ZPPc7FIQxn2bx7rBSm5yE_HeUXsCcKZBrv77RgorB3_1_pAdvMhi39ClxQgawzyQ9GBFkdiwOxT"}
	want := svc.Act(context.Background(), req, "", "")
	got := decode(t, out)
	if got["statusCode"] != float64(200) || got["type"] != invokeMessage || got["value"] != want.Text {
		t.Errorf("invoke response = %v, want message %q", got, want.Text)
	}
	if n := len(f.recorded()); n != 0 {
		t.Errorf("connector calls = %d, want 0 (the answer is in the invoke response)", n)
	}
}

// invokeWith returns the invoke fixture with value.action replaced.
func invokeWith(t *testing.T, f *fakeBF, action string) ([]byte, string) {
	body, su := f.inbound("teams-invoke-adaptivecard-action-execute.json")
	old := `"action": {
      "type": "Action.Execute",
      "title": "Submit Feedback",
      "data": {
        "feedback": "test invokes"
      }
    }`
	if !bytes.Contains(body, []byte(old)) {
		t.Fatal("invoke fixture changed")
	}
	return bytes.Replace(body, []byte(old), []byte(`"action": `+action), 1), su
}

// TestInvokeRouting checks how Action.Execute data reaches Act and Submit.
func TestInvokeRouting(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	tests := []struct {
		name   string
		action string
		want   call
	}{
		{"button data", `{"type":"Action.Execute","verb":"poll_vote","data":{"action":"poll_vote","value":"7:2"}}`,
			call{Kind: "act", ID: "poll_vote", Value: "7:2"}},
		{"verb only", `{"type":"Action.Execute","verb":"rsvp_yes"}`, call{Kind: "act", ID: "rsvp_yes"}},
		{"numeric value", `{"type":"Action.Execute","verb":"v","data":{"action":"v","value":3}}`,
			call{Kind: "act", ID: "v", Value: "3"}},
		{"unknown data", `{"type":"Action.Execute","data":{"feedback":"x"}}`, call{Kind: "act"}},
		{"form", `{"type":"Action.Execute","verb":"signup","data":{"form":"signup","state":"s1","in_name":"Ann","in_order":"federal","action":"ignored"}}`,
			call{Kind: "submit", FormID: "signup", State: "s1", Values: map[string]string{"name": "Ann", "order": "federal"}}},
		{"malformed value", `"just a string"`, call{Kind: "act"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: textReply("error", "en", "nope", 0)}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			body, su := invokeWith(t, f, tt.action)
			if status, _ := signedPost(t, f, b, body, su); status != 200 {
				t.Fatalf("status = %d", status)
			}
			calls := rec.got()
			if len(calls) != 1 {
				t.Fatalf("calls = %+v, want 1", calls)
			}
			got := calls[0]
			got.Req = handlers.Request{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("call = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestInvokeResponses checks what each kind of answer to a card action
// sends back, and what it posts.
func TestInvokeResponses(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	form := &handlers.Form{ID: "signup", Title: "Join", Submit: "Join", State: "s",
		Fields: []handlers.FormField{{ID: "name", Label: "Name"}}}
	tests := []struct {
		name      string
		action    string
		reply     handlers.Reply
		errs      map[string]string
		wantType  string
		wantValue string // message value, or card fallbackText
		wantPosts int
	}{
		{"replace refreshes card", `{"verb":"poll_vote","data":{"action":"poll_vote","value":"1"}}`,
			handlers.Reply{Kind: "poll", Lang: "en", Text: "Poll: 3 votes", Replace: true}, nil, invokeCard, "Poll: 3 votes", 0},
		{"empty reply acknowledged", `{"verb":"x"}`, handlers.Reply{}, nil, invokeMessage, "Done.", 0},
		{"error is a message", `{"verb":"x"}`, textReply("error", "fr", "Action inconnue.", 0), nil, invokeMessage, "Action inconnue.", 0},
		{"other reply is posted", `{"verb":"meeting_show","data":{"action":"meeting_show","value":"3"}}`,
			textReply("meeting", "fr", "Réunion 3", handlers.Ephemeral), nil, invokeMessage, "C’est fait.", 1},
		{"form submitted replaces form", `{"verb":"signup","data":{"form":"signup","in_name":"Ann"}}`,
			textReply("profile", "en", "Welcome, Ann", 0), nil, invokeCard, "Welcome, Ann", 0},
		{"form refused with form", `{"verb":"signup","data":{"form":"signup","in_name":""}}`,
			handlers.Reply{Kind: "form", Lang: "en", Text: "Join with: join …", Form: form},
			map[string]string{"name": "Name is required."}, invokeCard, "Join with: join …", 0},
		{"form refused without form", `{"verb":"signup","data":{"form":"signup","in_name":""}}`,
			handlers.Reply{Kind: "error", Lang: "fr"}, map[string]string{"name": "Le nom est obligatoire.", "email": "Courriel invalide."},
			invokeMessage, "Rien n’a été enregistré. Veuillez corriger ce qui suit et soumettre de nouveau\u00a0:\n- Courriel invalide.\n- Le nom est obligatoire.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: tt.reply, errs: tt.errs}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			_, _, before := f.counts()
			body, su := invokeWith(t, f, tt.action)
			status, out := signedPost(t, f, b, body, su)
			if status != 200 {
				t.Fatalf("status = %d", status)
			}
			got := decode(t, out)
			if got["statusCode"] != float64(200) || got["type"] != tt.wantType {
				t.Fatalf("response = %v, want type %s", got, tt.wantType)
			}
			value := got["value"]
			if tt.wantType == invokeCard {
				value = value.(map[string]any)["fallbackText"]
			}
			if value != tt.wantValue {
				t.Errorf("value = %q, want %q", value, tt.wantValue)
			}
			if _, _, after := f.counts(); after-before != tt.wantPosts {
				t.Errorf("connector calls = %d, want %d", after-before, tt.wantPosts)
			}
		})
	}
}

// TestFormErrorsShown checks that a refused form comes back with the
// user's input and the error under its field.
func TestFormErrorsShown(t *testing.T) {
	rd := renderer{tr: mustTranslator(t)}
	r := handlers.Reply{Lang: "en", Form: &handlers.Form{ID: "signup", Submit: "Join", Fields: []handlers.FormField{
		{ID: "name", Label: "Name"}, {ID: "email", Label: "Email", Optional: true}}}}
	c := rd.form(r, map[string]string{"name": "Ann", "email": "bad"}, map[string]string{"email": "Email is invalid.", "zz": "Other."})
	var got []string
	for _, e := range c.Body {
		got = append(got, e.Type+":"+e.ID+":"+e.Value+":"+e.Text)
	}
	want := []string{"TextBlock:::Other.", "Input.Text:in_name:Ann:", "Input.Text:in_email:bad:", "TextBlock:::Email is invalid."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %q, want %q", got, want)
	}
}

// TestSubmitMessage covers Action.Submit, which arrives as a message with
// a value: a replacing answer updates the card's message in place.
func TestSubmitMessage(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	_, su := f.inbound("teams-channel-message-at-mention.json")
	msg := func(value string) []byte {
		return []byte(`{"type":"message","channelId":"msteams","id":"99","replyToId":"1575667808184","serviceUrl":"` + su + `",
			"from":{"id":"29:u","aadObjectId":"aad-u"},"recipient":{"id":"28:bot"},
			"conversation":{"id":"a:chat","conversationType":"personal"},"value":` + value + `}`)
	}
	tests := []struct {
		name       string
		value      string
		reply      handlers.Reply
		wantCall   call
		wantMethod string
		wantPath   string
	}{
		{"vote replaces card", `{"action":"poll_vote","value":"2"}`,
			handlers.Reply{Kind: "poll", Lang: "en", Text: "Poll", Replace: true},
			call{Kind: "act", ID: "poll_vote", Value: "2"}, http.MethodPut, "/v3/conversations/a:chat/activities/1575667808184"},
		{"form posts answer", `{"form":"signup","state":"","in_name":"Ann"}`,
			textReply("profile", "en", "Welcome", 0),
			call{Kind: "submit", FormID: "signup", Values: map[string]string{"name": "Ann"}}, http.MethodPost, "/v3/conversations/a:chat/activities/99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: tt.reply}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			_, _, before := f.counts()
			if status, _ := signedPost(t, f, b, msg(tt.value), su); status != 200 {
				t.Fatalf("status = %d", status)
			}
			calls := rec.got()
			if len(calls) != 1 {
				t.Fatalf("calls = %+v", calls)
			}
			calls[0].Req = handlers.Request{}
			if !reflect.DeepEqual(calls[0], tt.wantCall) {
				t.Errorf("call = %+v, want %+v", calls[0], tt.wantCall)
			}
			posts := f.recorded()[before:]
			if len(posts) != 1 || posts[0].Method != tt.wantMethod || !strings.HasSuffix(posts[0].Path, tt.wantPath) {
				t.Fatalf("posts = %+v, want %s …%s", posts, tt.wantMethod, tt.wantPath)
			}
		})
	}
}
