package privacy_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/handlers/handlerstest"
	"copbot/scheduler"
	"copbot/storage"
)

// retentionJob is the one pending privacy-retention job.
func retentionJob(t *testing.T, e *handlerstest.Env) scheduler.Job {
	t.Helper()
	jobs, err := e.Jobs(e.S)
	if err != nil {
		t.Fatal(err)
	}
	var out []scheduler.Job
	for _, j := range jobs {
		if strings.HasPrefix(j.Key, "privacy-retention:") {
			out = append(out, j)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d retention jobs, want 1", len(out))
	}
	return out[0]
}

// joinAndLeave makes id a member at joined who left at left.
func joinAndLeave(t *testing.T, e *handlerstest.Env, id, name string, joined, left time.Time) {
	t.Helper()
	e.Clock.Set(joined)
	m := e.Join(id, name, "en")
	e.Clock.Set(left)
	if err := e.DB.LeaveMember(context.Background(), m.ID); err != nil {
		t.Fatal(err)
	}
}

// The daily job erases former members once the retention period has
// passed since they left, keeps the others (and the active members), is
// audited, prunes old delivery-ledger rows and expired request records,
// and runs again the next day at 3:00, community time.
func TestRetentionJob(t *testing.T) {
	start := t0.AddDate(-3, 0, 0)
	e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(start),
		Install: func(s *handlers.Service) {
			features.Install(s, features.Options{Privacy: featuresPrivacy(24)})
		}})
	joinAndLeave(t, e, "old", "Olga Old", start, t0.AddDate(0, -25, 0))
	joinAndLeave(t, e, "recent", "Rita Recent", start, t0.AddDate(0, -23, 0))
	e.Clock.Set(t0.AddDate(0, 0, -100))
	ctx := context.Background()
	for _, key := range []string{"reminder:old", "reminder:recent"} {
		if _, err := e.DB.BeginDelivery(ctx, key, storage.PlatformSlack); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.RecordDeliverySent(ctx, key, storage.PostRef{Platform: storage.PlatformSlack, Channel: "C1", ID: "1"}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Set(t0.AddDate(0, 0, -10))
	}
	e.Clock.Set(t0)
	e.Join("active", "Ada Active", "en")
	for key, expires := range map[string]time.Time{"req:old": t0.Add(-time.Minute), "req:live": t0.Add(time.Hour)} {
		if err := e.DB.RecordRequest(ctx, e.DB.ClaimRequest(expires, key)); err != nil {
			t.Fatal(err)
		}
	}
	countRequests := func() int {
		n := 0
		for _, l := range strings.Split(dumpTable(t, e, "handled_requests"), "\n") {
			if l != "" {
				n++
			}
		}
		return n
	}
	if n := countRequests(); n != 2 {
		t.Fatalf("%d request records, want 2", n)
	}

	job := retentionJob(t, e)
	if job.Due.After(t0) {
		t.Errorf("first run due %s, want at once (start-up)", job.Due)
	}
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	held := func(id string) bool {
		c, err := e.DB.CallerByIdentity(ctx, handlerstest.User(id))
		if err != nil {
			t.Fatal(err)
		}
		return c.Member != nil || c.Former != nil
	}
	if held("old") {
		t.Error("a member who left 25 months ago is still held")
	}
	if !held("recent") || !held("active") {
		t.Error("a member who left 23 months ago, or an active one, was erased")
	}
	audit, err := e.DB.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditMembersPurge})
	if err != nil || len(audit) != 1 || audit[0].Detail["members"] != "1" {
		t.Errorf("audit of the purge: %+v %v", audit, err)
	}
	for key, want := range map[string]int{"reminder:old": 0, "reminder:recent": 1} {
		if ds, err := e.DB.Deliveries(ctx, key); err != nil || len(ds) != want {
			t.Errorf("%s: %d delivery rows, want %d (%v)", key, len(ds), want, err)
		}
	}
	if n := countRequests(); n != 1 {
		t.Errorf("%d request records after the job, want the live one", n)
	}
	next := retentionJob(t, e)
	// 3:00 in Toronto the next day (EST, UTC-5).
	if want := time.Date(2027, 2, 2, 8, 0, 0, 0, time.UTC); !next.Due.Equal(want) {
		t.Errorf("next run due %s, want %s", next.Due, want)
	}
	// A day later the one who left 23 months ago is still kept; a month
	// later she is not.
	e.Clock.Set(next.Due)
	if err := next.Run(ctx); err != nil || !held("recent") {
		t.Fatalf("next day: %v, recent held %v", err, held("recent"))
	}
	e.Clock.Set(t0.AddDate(0, 1, 2))
	if err := retentionJob(t, e).Run(ctx); err != nil || held("recent") {
		t.Fatalf("a month later: %v, recent held %v", err, held("recent"))
	}
}

// The retention setting: 0 is the default (24 months), and "privacy"
// tells members what it is.
func TestRetentionSetting(t *testing.T) {
	for _, tt := range []struct {
		months int
		want   string
	}{{0, "kept 24 months"}, {1, "kept 1 month "}, {36, "kept 36 months"}} {
		e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(t0),
			Install: func(s *handlers.Service) {
				features.Install(s, features.Options{Privacy: featuresPrivacy(tt.months)})
			}})
		handlerstest.Has(t, e.Ask(zoe, "privacy"), tt.want, "/cop my data", "/cop forget me")
	}
	for _, bad := range []int{-1, 121} {
		if err := privacyValidate(bad); err == nil {
			t.Errorf("retention %d months accepted", bad)
		}
	}
}

// dumpTable lists table's rows, one a line, through a connection of its own.
func dumpTable(t *testing.T, e *handlerstest.Env, table string) string {
	t.Helper()
	db, err := sql.Open("sqlite", e.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT hex(key) FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		b.WriteString(k + "\n")
	}
	return b.String()
}
