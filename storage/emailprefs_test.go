package storage

import (
	"context"
	"errors"
	"testing"
)

func TestEmailPrefs(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	marie := mustJoin(t, d, MemberInput{Name: "Marie Tremblay", Email: "marie@example.qc.ca", Organization: "Services Québec",
		Order: OrderProvincial, Jurisdiction: "QC", Language: "fr"})
	jean := mustJoin(t, d, MemberInput{Name: "Jean Roy", Email: "jean@example.on.ca", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", Language: "en"})

	if ps, err := d.EmailPrefs(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("before any choice: %v %v", ps, err)
	}
	tok, err := d.EmailToken(ctx, marie.ID)
	if err != nil || len(tok) < 26 {
		t.Fatalf("EmailToken: %q %v", tok, err)
	}
	if again, _ := d.EmailToken(ctx, marie.ID); again != tok {
		t.Errorf("the token changed: %q then %q", tok, again)
	}
	if other, _ := d.EmailToken(ctx, jean.ID); other == tok {
		t.Error("two members share a token")
	}
	ps, _ := d.EmailPrefs(ctx)
	if p := ps[marie.ID]; p.Set || p.Token != tok {
		t.Errorf("a token alone is no choice: %+v", p)
	}
	p, err := d.SetEmailWanted(ctx, marie.ID, true)
	if err != nil || !p.Set || !p.On || p.Token != tok {
		t.Fatalf("SetEmailWanted on: %+v %v (the token must stay %q)", p, err, tok)
	}
	if _, err := d.UnsubscribeEmail(ctx, tok+"x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown token: %v, want not found", err)
	}
	if ps, _ := d.EmailPrefs(ctx); !ps[marie.ID].On {
		t.Error("an unknown token changed a setting")
	}
	if id, err := d.UnsubscribeEmail(ctx, tok); err != nil || id != marie.ID {
		t.Fatalf("UnsubscribeEmail: %d %v", id, err)
	}
	if ps, _ := d.EmailPrefs(ctx); !ps[marie.ID].Set || ps[marie.ID].On {
		t.Errorf("after unsubscribing: %+v", ps[marie.ID])
	}
	// Forgetting Marie takes her setting and token with her.
	if err := d.ForgetMember(ctx, marie.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UnsubscribeEmail(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("the token of a forgotten member still works: %v", err)
	}
}

func TestDeliveriesWithPrefix(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	for _, k := range []string{"email:meeting:7:1:0", "email:meeting:7:2:0", "email:meeting:70:1:0", "email:reminder:7:1"} {
		if _, err := d.BeginDelivery(ctx, k, "email"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.BeginDelivery(ctx, "email:meeting:7:3:0", PlatformSlack); err != nil {
		t.Fatal(err)
	}
	ds, err := d.DeliveriesWithPrefix(ctx, "email", "email:meeting:7:")
	if err != nil || len(ds) != 2 || ds[0].Key != "email:meeting:7:1:0" || ds[1].Key != "email:meeting:7:2:0" {
		t.Fatalf("got %d rows (%v), want meeting 7's two email rows", len(ds), err)
	}
}
