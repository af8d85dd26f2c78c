package features

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// The authorization matrix (issue 9): every command of the command table,
// sent by each of four people, against the same starting database:
//
//	visitor  — not a member (slack:UVISIT)
//	member   — Ann, a member who created poll 1 while she was a coordinator
//	other    — Bob, a member (in French) acting on what is not his
//	coord    — Cora, a coordinator named in the config, also a member
//
// "allowed" means the command runs (its reply is not an error); the other
// outcomes are refusals, each with its translated reason, and a refused
// command must leave every table of the database exactly as it was.
type authz int

const (
	allowed     authz = iota
	coordOnly         // "Only coordinators can do that."
	memberOnly        // "You're not a member yet." / "join first to vote"
	managerOnly       // "Only the poll's creator or a coordinator…", "poll 1 takes no options from members"
	otherError        // any other error
)

var (
	azVisitor = storage.Identity{Platform: storage.PlatformSlack, ID: "UVISIT"}
	azAnn     = storage.Identity{Platform: storage.PlatformSlack, ID: "UANN"}
	azBob     = storage.Identity{Platform: storage.PlatformSlack, ID: "UBOB"}
	azCora    = storage.Identity{Platform: storage.PlatformSlack, ID: "UCORA"}
	azRoles   = [4]storage.Identity{azVisitor, azAnn, azBob, azCora}
	azNames   = [4]string{"visitor", "member", "other", "coord"}
)

// azMatrix is the table to audit: one row per command form, the wanted
// outcome for visitor, member (Ann), other member (Bob), coordinator.
var azMatrix = []struct {
	text string
	want [4]authz
}{
	// Open to everyone.
	{"help", [4]authz{allowed, allowed, allowed, allowed}},
	{"who Ontario", [4]authz{allowed, allowed, allowed, allowed}},
	{"stats", [4]authz{allowed, allowed, allowed, allowed}},
	{"gaps", [4]authz{allowed, allowed, allowed, allowed}},
	{"coordinators", [4]authz{allowed, allowed, allowed, allowed}},
	{"meetings", [4]authz{allowed, allowed, allowed, allowed}},
	{"meeting 1", [4]authz{allowed, allowed, allowed, allowed}},
	{"polls", [4]authz{allowed, allowed, allowed, allowed}},
	{"poll 1", [4]authz{allowed, allowed, allowed, allowed}},
	{"join Vic Tor | Ville de Laval | municipal | QC", [4]authz{allowed, allowed, allowed, allowed}},
	{"language fr", [4]authz{allowed, allowed, allowed, allowed}},
	// Privacy: each person about themselves only (a visitor holds nothing).
	{"privacy", [4]authz{allowed, allowed, allowed, allowed}},
	{"my data", [4]authz{allowed, allowed, allowed, allowed}},
	{"forget me", [4]authz{allowed, allowed, allowed, allowed}},
	// Members only: their own profile, RSVPs and votes.
	{"profile", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"update title Chief", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"preferences plain on", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"leave", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"attend 1", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"decline 1", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"meeting rsvps 1", [4]authz{allowed, allowed, allowed, allowed}},
	{"vote 1 2", [4]authz{memberOnly, allowed, allowed, allowed}},
	{"unvote 1 2", [4]authz{memberOnly, allowed, allowed, allowed}},
	// Poll 1's creator (Ann) and coordinators manage it; nobody else.
	{"poll close 1", [4]authz{managerOnly, allowed, managerOnly, allowed}},
	{"poll edit 1 --closes 3d", [4]authz{managerOnly, allowed, managerOnly, allowed}},
	{`poll add-option 1 "C"`, [4]authz{memberOnly, allowed, managerOnly, allowed}},
	{"poll export 1", [4]authz{managerOnly, allowed, managerOnly, allowed}},
	// Coordinators only.
	{`poll "Theme for June?" "A" "B"`, [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"poll delete 1", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting add 2026-09-16 13:00 Autumn", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting edit 1 --title Renamed", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting move 1 2026-06-18 13:00", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting cancel 1", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting plan 2027", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting status 1", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"coordinators add slack:UVISIT", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"coordinators remove slack:UCORA2", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"coordinators link ann@example.ca teams:29:ann", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"meeting notes 1", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"challenges", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{`challenge add "Low turnout" --criticality medium`, [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{`outreach add Yukon --contact "Council member"`, [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"outreach", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"activities", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{`activity add "Explore a workspace with ISAC" --remarks "trial"`, [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"report 2026-09-01 2027-01-31", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"delivery", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"delivery posted announcement:1 teams", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"diffusion republier poll:1", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"roster export", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{"organizations", [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
	{`organization alias ESDC "Emp. Soc. Dev. Canada"`, [4]authz{coordOnly, coordOnly, coordOnly, allowed}},
}

// TestAuthorizationMatrix runs azMatrix, each cell on a fresh copy of the
// starting database.
func TestAuthorizationMatrix(t *testing.T) {
	start := azStartDB(t)
	for _, row := range azMatrix {
		for i, who := range azRoles {
			t.Run(fmt.Sprintf("%s/%s", row.text, azNames[i]), func(t *testing.T) {
				s, path := azService(t, start)
				before := azDump(t, path)
				r := s.Handle(context.Background(), handlers.Request{Identity: who, UserName: azNames[i], Text: row.text})
				got := azOutcome(s, who, r)
				if got != row.want[i] {
					t.Fatalf("outcome %v, want %v; reply %s: %s", got, row.want[i], r.Kind, r.Text)
				}
				if got != allowed && who == azBob && r.Lang != "fr" {
					t.Errorf("Bob (French) refused in %q: %s", r.Lang, r.Text)
				}
				if got != allowed {
					if after := azDump(t, path); after != before {
						t.Errorf("refused, but the database changed:\n%s", azDiff(before, after))
					}
				}
				if who == azCora {
					azAudited(t, path, before, row.want)
				}
			})
		}
	}
}

// TestAuthorizationMatrixCoversCommands checks that every command of the
// command table has a row, so a new command cannot skip the audit.
func TestAuthorizationMatrixCoversCommands(t *testing.T) {
	s, _ := mtService(t, nil)
	for _, cmd := range s.Commands() {
		found := false
		for _, row := range azMatrix {
			if name := handlers.Fold(handlers.Fields(row.text)[0]); slices.Contains(cmd.Names, name) {
				found = true
			}
		}
		if !found {
			t.Errorf("command %q has no row in azMatrix", cmd.Names[0])
		}
	}
}

func (a authz) String() string {
	return [...]string{"allowed", "coordinator-only refusal", "members-only refusal", "poll-manager refusal", "another error"}[a]
}

// azOutcome classifies a reply: a refusal is recognized by its exact
// translated text, in the asker's language.
func azOutcome(s *handlers.Service, who storage.Identity, r handlers.Reply) authz {
	if r.Kind != "error" {
		return allowed
	}
	c := s.LangCall(r.Lang) // the askers were never members before, nor on the console
	switch r.Text {
	case c.CoordinatorOnly().Text:
		return coordOnly
	case c.NotMember().Text, c.T("poll_error_join_first", c.With(nil)), c.T("poll_error_not_member", c.SlashData()):
		return memberOnly
	case c.ErrorReply("poll_error_manager_only", map[string]any{"ID": 1}).Text,
		c.T("poll_error_options_closed", c.With(map[string]any{"ID": 1})):
		return managerOnly
	}
	return otherError
}

// azStartDB builds the starting database once and returns its bytes.
func azStartDB(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "start.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s := azNew(t, db)
	steps := []struct {
		who  storage.Identity
		text string
	}{
		{azAnn, "join Ann Lee | ServiceOntario | provincial | ON | Director | ann@example.ca"},
		{azBob, "rejoindre Bob Roy | Revenu Québec | provincial | QC"},
		{azCora, "join Cora Diaz | Service Canada | federal"},
		{azCora, "coordinators add slack:UANN"},
		{azCora, "coordinators add slack:UCORA2"},
		{azAnn, `poll "Theme for March?" "Accessibility" "Chatbots"`},
		{azCora, "coordinators remove slack:UANN"},
		{azCora, "meeting add 2026-06-17 13:00 Quarterly"},
	}
	for _, st := range steps {
		if r := s.Handle(context.Background(), handlers.Request{Identity: st.who, Text: st.text}); r.Kind == "error" {
			t.Fatalf("setup %q: %s", st.text, r.Text)
		}
	}
	// Two posts left to a coordinator on Teams (answers lost, no look-up),
	// for the delivery command.
	for _, key := range []string{"poll:1", "announcement:1"} {
		ctx := context.Background()
		if _, err := db.BeginDelivery(ctx, key, storage.PlatformTeams); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordDeliveryFailure(ctx, key, storage.PlatformTeams, storage.FailureLost, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkDeliveryUncertain(ctx, key, storage.PlatformTeams); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func azNew(t *testing.T, db *storage.DB) *handlers.Service {
	t.Helper()
	db.Now = func() time.Time { return mtNow }
	s, err := newWithFeatures(db, handlers.Options{Coordinators: []storage.Identity{azCora}, DefaultLanguage: "en", Command: "/cop"},
		db.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.SetPoster(&fzPoster{})
	return s
}

// azService opens a copy of the starting database.
func azService(t *testing.T, start []byte) (*handlers.Service, string) {
	t.Helper()
	db, path := openCopy(t, start)
	s := azNew(t, db)
	t.Cleanup(s.Close)
	return s, path
}

// azDump renders every row of every table, through a second connection.
func azDump(t *testing.T, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tables, err := azStrings(raw, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range tables {
		rows, err := azRows(raw, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(name + ": " + r + "\n")
		}
	}
	return b.String()
}

func azStrings(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func azRows(db *sql.DB, table string) ([]string, error) {
	rows, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
	if err != nil {
		rows, err = db.Query(`SELECT * FROM "` + table + `"`) // WITHOUT ROWID tables keep key order
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out, rows.Err()
}

// azAudited checks, for a cell of the coordinator, that a coordinator's
// action (one a member is refused as coordinator-only, or one on another
// person's poll) which changed the database left an audit entry with the
// change: a new coordinator command, button or form cannot skip the audit
// log. What a coordinator does for themselves as a member is not checked.
func azAudited(t *testing.T, path, before string, want [4]authz) {
	t.Helper()
	if want[1] != coordOnly && want[2] != managerOnly {
		return
	}
	after := azDump(t, path)
	data := func(dump string) (rest string, audit int) {
		var b strings.Builder
		for _, l := range strings.SplitAfter(dump, "\n") {
			if strings.HasPrefix(l, "audit: ") {
				audit++
				continue
			}
			b.WriteString(l)
		}
		return b.String(), audit
	}
	b, na := data(before)
	a, nb := data(after)
	if a != b && nb <= na {
		t.Errorf("a coordinator's action changed the database without an audit entry:\n%s", azDiff(b, a))
	}
}

// azDiff lists the lines only in before (-) or only in after (+).
func azDiff(before, after string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	b, a := in(before), in(after)
	var out []string
	for l := range b {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range a {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
