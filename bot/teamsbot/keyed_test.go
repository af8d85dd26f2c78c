package teamsbot

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Teams in the exactly-once ledger: a keyed post is a plain channel post
// that the connector does not repeat by itself after a 502 (the ledger's
// retry does), and FindKeyed says the Bot Connector cannot look posts up.
func TestKeyedPostWithoutLookup(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			http.Error(w, `{"error":{"code":"ServiceError"}}`, http.StatusBadGateway)
			return true
		}
		return false
	}
	cfg := f.config()
	cfg.ServiceURL = f.srv.URL + "/teams/"
	cfg.ChannelID = "19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2"
	cfg.TenantID = testTenant
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	var ch handlers.KeyedChannel = b.Adapter
	ctx := context.Background()
	r := textReply("reminder", "en", "Meeting tomorrow", handlers.InChannel)
	if _, err := ch.PostKeyed(ctx, "reminder:1", r); err == nil {
		t.Fatal("a post answered 502 succeeded")
	}
	if n := len(f.recorded()); n != 1 {
		t.Fatalf("%d connector calls after a 502, want 1: a create is never repeated by the connector", n)
	}
	ref, err := ch.PostKeyed(ctx, "reminder:1", r)
	if err != nil || ref.Platform != storage.PlatformTeams || ref.ID == "" || ch.Platform() != storage.PlatformTeams {
		t.Fatalf("retry: ref %+v, err %v", ref, err)
	}
	if _, found, err := ch.FindKeyed(ctx, "reminder:1", time.Now()); found || !errors.Is(err, handlers.ErrNoLookup) {
		t.Errorf("FindKeyed = found %v, err %v; want handlers.ErrNoLookup", found, err)
	}
}
