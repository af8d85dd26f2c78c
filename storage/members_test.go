package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestJoinTwiceUpdates(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	first, created, err := d.JoinMember(ctx, marieInput())
	if err != nil || !created {
		t.Fatalf("first join: created %v, %v", created, err)
	}
	// The second join names the person differently, drops optional
	// details and changes the title.
	again := MemberInput{Name: "marie  TREMBLAY", Organization: "ServiceOntario", Order: OrderProvincial,
		Jurisdiction: "ON", Title: "Manager", SlackID: "U1"}
	second, created, err := d.JoinMember(ctx, again)
	if err != nil || created {
		t.Fatalf("second join: created %v, %v", created, err)
	}
	if second.ID != first.ID {
		t.Fatalf("second join made member %d, want %d", second.ID, first.ID)
	}
	if got := countRows(t, d, "SELECT count(*) FROM members"); got != 1 {
		t.Fatalf("%d members, want 1", got)
	}
	want := *first
	want.Name, want.Title, want.UpdatedAt = "marie TREMBLAY", "Manager", second.UpdatedAt
	if *second != want {
		t.Errorf("after second join\n got %+v\nwant %+v", *second, want)
	}
	if !second.UpdatedAt.After(first.UpdatedAt) || !second.JoinedAt.Equal(first.JoinedAt) {
		t.Errorf("times: joined %v→%v, updated %v→%v", first.JoinedAt, second.JoinedAt, first.UpdatedAt, second.UpdatedAt)
	}
	// A third, identical join changes nothing, not even updated_at.
	third, _, err := d.JoinMember(ctx, again)
	if err != nil || !third.UpdatedAt.Equal(second.UpdatedAt) {
		t.Errorf("identical join: updated_at %v, want %v (err %v)", third.UpdatedAt, second.UpdatedAt, err)
	}
}

// keyCase is a key-rule scenario: members already there, an input, and
// which existing member the input must land on (-1: a new member) or the
// error key it must get.
type keyCase struct {
	name     string
	existing []MemberInput
	in       MemberInput
	want     int
	wantErr  string
	wantSize int // members afterwards
	// chatErr, when set, is the error JoinMember must give instead (a join
	// from chat is keyed by its platform id only), leaving the members as
	// they were.
	chatErr string
}

func keyCases() []keyCase {
	ssc := func(edit func(*MemberInput)) MemberInput {
		in := MemberInput{Name: "Émilie Côté", Organization: "Ministère de la Santé", Order: OrderProvincial, Jurisdiction: "QC"}
		edit(&in)
		return in
	}
	m := marieInput()
	other := MemberInput{Name: "Jean Roy", Email: "jean@canada.ca", Organization: "Service Canada", Order: OrderFederal, SlackID: "U2"}
	return []keyCase{
		{name: "same slack id", existing: []MemberInput{m},
			in:   MemberInput{Name: "M. T.", Organization: "Other", Order: OrderMunicipal, Jurisdiction: "BC", SlackID: "U1"},
			want: 0, wantSize: 1},
		{name: "email in another case", existing: []MemberInput{m},
			in:   MemberInput{Name: "Marie T", Email: " MARIE@Ontario.ca", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON"},
			want: 0, wantSize: 1},
		{name: "name and organization folded", existing: []MemberInput{ssc(func(*MemberInput) {})},
			in:   ssc(func(in *MemberInput) { in.Name, in.Organization = " emilie   COTE", "ministere de la sante" }),
			want: 0, wantSize: 1},
		{name: "name and organization, other jurisdiction", existing: []MemberInput{ssc(func(*MemberInput) {})},
			in:   ssc(func(in *MemberInput) { in.Jurisdiction = "NB" }),
			want: -1, wantSize: 2},
		{name: "namesake with another slack id", existing: []MemberInput{ssc(func(in *MemberInput) { in.SlackID = "U7" })},
			in:   ssc(func(in *MemberInput) { in.SlackID = "U8" }),
			want: -1, wantSize: 2, chatErr: "error_claim_existing"},
		{name: "namesake with another email", existing: []MemberInput{ssc(func(in *MemberInput) { in.Email = "a@sante.qc.ca" })},
			in:   ssc(func(in *MemberInput) { in.Email = "b@sante.qc.ca" }),
			want: -1, wantSize: 2},
		{name: "namesake without email gets it", existing: []MemberInput{ssc(func(*MemberInput) {})},
			in:   ssc(func(in *MemberInput) { in.Email = "b@sante.qc.ca"; in.TeamsID = "T1" }),
			want: 0, wantSize: 1, chatErr: "error_claim_existing"},
		{name: "email claims a roster row", existing: []MemberInput{ssc(func(in *MemberInput) { in.Email = "e@sante.qc.ca" })},
			in:   MemberInput{Name: "Emilie", Email: "e@sante.qc.ca", Organization: "MSSS", Order: OrderProvincial, Jurisdiction: "QC", SlackID: "U5"},
			want: 0, wantSize: 1, chatErr: "error_claim_existing"},
		{name: "name and organization claim a roster row", existing: []MemberInput{ssc(func(*MemberInput) {})},
			in:   ssc(func(in *MemberInput) { in.Name, in.SlackID = "emilie cote", "U6" }),
			want: 0, wantSize: 1, chatErr: "error_claim_existing"},
		{name: "own slack id, new email", existing: []MemberInput{m},
			in:   MemberInput{Name: "Marie T", Email: "marie@ottawa.ca", Organization: "Ville d'Ottawa", Order: OrderMunicipal, Jurisdiction: "ON", SlackID: "U1"},
			want: 0, wantSize: 1},
		{name: "slack id of one, email of another", existing: []MemberInput{m, other},
			in:      MemberInput{Name: "X", Email: "jean@canada.ca", Organization: "Y", Order: OrderFederal, SlackID: "U1"},
			wantErr: "error_identity_taken", wantSize: 2},
		{name: "email of a member with another slack id", existing: []MemberInput{m},
			in:      MemberInput{Name: "X", Email: "marie@ontario.ca", Organization: "Y", Order: OrderFederal, SlackID: "U9"},
			wantErr: "error_identity_taken", wantSize: 1, chatErr: "error_claim_existing"},
		{name: "slack id of one, teams id of another",
			existing: []MemberInput{m, func() MemberInput { o := other; o.TeamsID = "T2"; return o }()},
			in:       MemberInput{Name: "X", Organization: "Y", Order: OrderFederal, SlackID: "U1", TeamsID: "T2"},
			wantErr:  "error_identity_taken", wantSize: 2},
		{name: "member has another teams id", existing: []MemberInput{func() MemberInput { o := m; o.TeamsID = "T1"; return o }()},
			in:      MemberInput{Name: "X", Organization: "Y", Order: OrderFederal, SlackID: "U1", TeamsID: "T9"},
			wantErr: "error_identity_taken", wantSize: 1},
	}
}

// TestJoinKeyRules runs the key rules through JoinMember and through
// ImportMembers, which agree except where a join from chat must not claim
// another member's row (chatErr).
func TestJoinKeyRules(t *testing.T) {
	writers := map[string]func(*DB, MemberInput) error{
		"join": func(d *DB, in MemberInput) error {
			_, _, err := d.JoinMember(context.Background(), in)
			return err
		},
		"import": func(d *DB, in MemberInput) error {
			_, err := d.ImportMembers(context.Background(), []MemberInput{in})
			return err
		},
	}
	for wname, write := range writers {
		for _, tt := range keyCases() {
			if wname == "join" && tt.chatErr != "" {
				tt.wantErr, tt.wantSize = tt.chatErr, len(tt.existing)
			}
			t.Run(wname+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				d, _ := openMemberDB(t)
				var ids []int64
				for _, in := range tt.existing {
					ids = append(ids, mustJoin(t, d, in).ID)
				}
				err := checkKeyCase(t, d, write, wname, tt, ids)
				if err != nil {
					t.Fatal(err)
				}
				if got := countRows(t, d, "SELECT count(*) FROM members"); got != tt.wantSize {
					t.Errorf("%d members, want %d", got, tt.wantSize)
				}
			})
		}
	}
}

func checkKeyCase(t *testing.T, d *DB, write func(*DB, MemberInput) error, wname string, tt keyCase, ids []int64) error {
	t.Helper()
	err := write(d, tt.in)
	if tt.wantErr != "" {
		var e *Error
		if !errors.As(err, &e) || e.Key != tt.wantErr || e.Code != ECONFLICT {
			return fmt.Errorf("err = %v, want ECONFLICT %s", err, tt.wantErr)
		}
		return nil
	}
	if err != nil {
		return err
	}
	// Find where the input landed by one of its keys.
	got, err := landedOn(d, tt.in)
	if err != nil {
		return err
	}
	if tt.want >= 0 && got.ID != ids[tt.want] {
		return fmt.Errorf("%s landed on member %d, want %d", wname, got.ID, ids[tt.want])
	}
	for _, id := range ids {
		if tt.want < 0 && got.ID == id {
			return fmt.Errorf("%s landed on existing member %d, want a new one", wname, id)
		}
	}
	return nil
}

// landedOn returns the member written for in, found by its normalized name
// among the most recently updated members.
func landedOn(d *DB, in MemberInput) (*Member, error) {
	n, _ := normalizeMember(in)
	ms, _, err := d.FindMembers(context.Background(), MemberFilter{IncludeLeft: true})
	if err != nil {
		return nil, err
	}
	var best *Member
	for _, m := range ms {
		if m.Name == n.Name && (best == nil || m.UpdatedAt.After(best.UpdatedAt)) {
			best = m
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no member named %q", n.Name)
	}
	return best, nil
}

func TestLeaveAndRejoin(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	m := mustJoin(t, d, marieInput())
	if err := d.LeaveMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.MemberByIdentity(ctx, Identity{Platform: PlatformSlack, ID: "U1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("MemberByIdentity of a former member: %v, want ErrNotFound", err)
	}
	left, err := d.MemberByID(ctx, m.ID)
	if err != nil || left.Active() {
		t.Fatalf("MemberByID after leaving: %+v, %v", left, err)
	}
	if err := d.LeaveMember(ctx, m.ID); err != nil {
		t.Errorf("leaving twice: %v", err)
	}
	if again, _ := d.MemberByID(ctx, m.ID); !again.LeftAt.Equal(left.LeftAt) {
		t.Errorf("leaving twice moved LeftAt %v → %v", left.LeftAt, again.LeftAt)
	}
	back, created, err := d.JoinMember(ctx, MemberInput{Name: "Marie Tremblay", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U1"})
	if err != nil || created || back.ID != m.ID {
		t.Fatalf("rejoin: %+v created %v, %v", back, created, err)
	}
	if !back.Active() || !back.JoinedAt.Equal(m.JoinedAt) || back.Language != "fr" || back.Email != m.Email {
		t.Errorf("rejoined member %+v, want active, joined %v, language and email kept", back, m.JoinedAt)
	}
	if err := d.LeaveMember(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("LeaveMember(999) = %v, want ErrNotFound", err)
	}
}

func TestNotFound(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["MemberByID"] = d.MemberByID(ctx, 42)
	_, checks["MemberByIdentity"] = d.MemberByIdentity(ctx, Identity{Platform: PlatformTeams, ID: "nobody"})
	_, checks["MemberByIdentity unknown platform"] = d.MemberByIdentity(ctx, Identity{Platform: "irc", ID: "x"})
	_, checks["UpdateMember"] = d.UpdateMember(ctx, 42, MemberUpdate{})
	checks["LeaveMember"] = d.LeaveMember(ctx, 42)
	checks["RemoveCoordinator"] = d.RemoveCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U1"})
	for name, err := range checks {
		if !errors.Is(err, ErrNotFound) || ErrorCode(err) != ENOTFOUND {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func strp(s string) *string { return &s }

func TestUpdateMember(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	m := mustJoin(t, d, marieInput())
	mustJoin(t, d, MemberInput{Name: "Jean Roy", Email: "jean@canada.ca", Organization: "Service Canada", Order: OrderFederal})
	municipal := OrderMunicipal
	got, err := d.UpdateMember(ctx, m.ID, MemberUpdate{Order: &municipal, Organization: strp("Ville d'Ottawa"),
		Title: strp(""), Email: strp("Marie@Ottawa.ca")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Order != OrderMunicipal || got.Organization != "Ville d'Ottawa" || got.Title != "" || got.Email != "marie@ottawa.ca" ||
		got.Name != m.Name || got.Jurisdiction != "ON" || !got.UpdatedAt.After(m.UpdatedAt) {
		t.Errorf("updated member %+v", got)
	}
	tests := []struct {
		name    string
		upd     MemberUpdate
		wantKey string
	}{
		{"email of another member", MemberUpdate{Email: strp("JEAN@canada.ca")}, "error_identity_taken"},
		{"empty name", MemberUpdate{Name: strp(" ")}, "error_name_required"},
		{"federal in Ontario", MemberUpdate{Order: func() *Order { o := OrderFederal; return &o }()}, "error_federal_jurisdiction"},
		{"bad language", MemberUpdate{Language: strp("es")}, "error_language_invalid"},
	}
	for _, tt := range tests {
		_, err := d.UpdateMember(ctx, m.ID, tt.upd)
		var e *Error
		if !errors.As(err, &e) || e.Key != tt.wantKey {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.wantKey)
		}
	}
	after, _ := d.MemberByID(ctx, m.ID)
	if *after != *got {
		t.Errorf("refused updates changed the member:\n got %+v\nwant %+v", *after, *got)
	}
	same, err := d.UpdateMember(ctx, m.ID, MemberUpdate{Name: strp(m.Name)})
	if err != nil || !same.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("no-op update moved updated_at %v → %v (%v)", got.UpdatedAt, same.UpdatedAt, err)
	}
}

func TestFindMembers(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	ins := []MemberInput{
		{Name: "Zoé Martin", Organization: "Ville de Québec", Order: OrderMunicipal, Jurisdiction: "QC"},
		{Name: "Fabien Roy", Organization: "Santé Québec", Order: OrderProvincial, Jurisdiction: "QC", TeamsID: "T1"},
		{Name: "Émilie Côté", Organization: "Services Québec", Order: OrderProvincial, Jurisdiction: "QC", Email: "emilie@quebec.ca"},
		{Name: "Eli Adams", Organization: "Service Canada", Order: OrderFederal},
		{Name: "amir Haddad", Organization: "Ville de Montréal", Order: OrderMunicipal, Jurisdiction: "QC"},
		{Name: "Gone Person", Organization: "Santé Québec", Order: OrderProvincial, Jurisdiction: "QC"},
		{Name: "Yan Wu", Organization: "Yukon Government", Order: OrderProvincial, Jurisdiction: "YT"},
	}
	ids := map[string]int64{}
	for _, in := range ins {
		ids[in.Name] = mustJoin(t, d, in).ID
	}
	if err := d.LeaveMember(ctx, ids["Gone Person"]); err != nil {
		t.Fatal(err)
	}
	qc, yt, prov, bad := "qc", "YT", OrderProvincial, Order("regional")
	id := ids["Fabien Roy"]
	tests := []struct {
		name      string
		f         MemberFilter
		want      []string
		wantTotal int
	}{
		{"everyone active, report order", MemberFilter{}, []string{"Eli Adams", "Émilie Côté", "Fabien Roy", "Yan Wu", "amir Haddad", "Zoé Martin"}, 6},
		{"jurisdiction", MemberFilter{Jurisdiction: &qc}, []string{"Émilie Côté", "Fabien Roy", "amir Haddad", "Zoé Martin"}, 4},
		{"jurisdiction page", MemberFilter{Jurisdiction: &qc, Limit: 2, Offset: 1}, []string{"Fabien Roy", "amir Haddad"}, 4},
		{"with former members", MemberFilter{Jurisdiction: &qc, Order: &prov, IncludeLeft: true}, []string{"Émilie Côté", "Fabien Roy", "Gone Person"}, 3},
		{"order", MemberFilter{Order: &prov}, []string{"Émilie Côté", "Fabien Roy", "Yan Wu"}, 3},
		{"other jurisdiction", MemberFilter{Jurisdiction: &yt}, []string{"Yan Wu"}, 1},
		{"email any case", MemberFilter{Email: strp(" EMILIE@quebec.ca")}, []string{"Émilie Côté"}, 1},
		{"identity", MemberFilter{Identity: &Identity{Platform: PlatformTeams, ID: "T1"}}, []string{"Fabien Roy"}, 1},
		{"unknown platform", MemberFilter{Identity: &Identity{Platform: "irc", ID: "T1"}}, nil, 0},
		{"id", MemberFilter{ID: &id}, []string{"Fabien Roy"}, 1},
		{"page past the end", MemberFilter{Offset: 10, Limit: 5}, nil, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, total, err := d.FindMembers(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != tt.wantTotal {
				t.Errorf("got %q (total %d), want %q (total %d)", got, total, tt.want, tt.wantTotal)
			}
		})
	}
	if _, _, err := d.FindMembers(ctx, MemberFilter{Order: &bad}); ErrorCode(err) != EINVALID {
		t.Errorf("bad order filter: %v, want EINVALID", err)
	}
}

// joinUnlessBusy joins in again while the write gate answers EBUSY: under
// -race on a loaded machine a hundred queued joins can outwait gateWait,
// which tells that person "busy, nothing saved" and writes nothing. The
// test is about what the joins that run do, not about how long they queue.
func joinUnlessBusy(ctx context.Context, d *DB, in MemberInput) (*Member, bool, error) {
	for {
		m, created, err := d.JoinMember(ctx, in)
		if ErrorCode(err) != EBUSY {
			return m, created, err
		}
	}
}

func TestConcurrentJoin(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	createdSame, errs := 0, []error{}
	for i := range n {
		wg.Add(2)
		go func() { // 50 different people
			defer wg.Done()
			_, _, err := joinUnlessBusy(ctx, d, MemberInput{Name: fmt.Sprintf("Person %d", i), Organization: "Service Canada",
				Order: OrderFederal, SlackID: fmt.Sprintf("P%d", i)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
		}()
		go func() { // and one person joining 50 times at once
			defer wg.Done()
			in := marieInput()
			in.Title = fmt.Sprintf("Title %d", i)
			_, created, err := joinUnlessBusy(ctx, d, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if created {
				createdSame++
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d joins failed, first: %v", len(errs), errs[0])
	}
	if createdSame != 1 {
		t.Errorf("the same person was created %d times, want 1", createdSame)
	}
	if got := countRows(t, d, "SELECT count(*) FROM members"); got != n+1 {
		t.Errorf("%d members, want %d", got, n+1)
	}
	if s, err := d.Stats(ctx); err != nil || s.People != n+1 || s.Organizations[OrderFederal] != 1 {
		t.Errorf("Stats = %+v, %v; want %d people, 1 federal department", s, err, n+1)
	}
}

func TestSetMemberPlain(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	id := pollMembers(t, d, 1)[0]
	before, _ := d.MemberByID(ctx, id)
	for _, want := range []bool{true, false, true} {
		m, err := d.SetMemberPlain(ctx, id, want)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := d.CallerByIdentity(ctx, Identity{Platform: PlatformSlack, ID: m.SlackID})
		if m.Plain != want || got.Member == nil || got.Member.Plain != want {
			t.Errorf("plain = %v / caller %+v, want %v", m.Plain, got.Member, want)
		}
		if !m.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("UpdatedAt changed: %v → %v", before.UpdatedAt, m.UpdatedAt)
		}
	}
	if _, err := d.SetMemberPlain(ctx, 999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown member: err = %v, want ErrNotFound", err)
	}
}
