package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// healthTTL is how long /healthz reuses a database check: quick_check
// reads the whole file, so a load balancer polling every second must not
// run it every time.
const healthTTL = 5 * time.Second

// healthCache remembers the last database check. Concurrent callers wait
// for one check rather than each running their own.
type healthCache struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// check returns the cached result if it is younger than healthTTL at now,
// else runs run. A check cut short by ctx (the caller went away) is not
// cached.
func (h *healthCache) check(ctx context.Context, now time.Time, run func(context.Context) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && !now.Before(h.at) && now.Sub(h.at) < healthTTL {
		return h.err
	}
	err := run(ctx)
	if ctx.Err() == nil {
		h.at, h.err = now, err
	}
	return err
}

// checkDatabase is the start-up check of the console: a damaged,
// read-only or full database stops it before it takes a command it could
// not save. (Open has already proved the file takes writes.)
func (a *App) checkDatabase(ctx context.Context) error {
	err := a.health.check(ctx, a.now(), a.Store.Health)
	if err == nil {
		return nil
	}
	return &unusableDBError{path: a.cfg.Storage.Path, err: err}
}

// checkInBackground is serve's start-up check (issue 20: with 100,000
// members, quick_check was 375 of the 434 ms to ready). Open has already
// proved that the file takes writes; quick_check runs beside the first
// requests: reads are answered, every write waits for its verdict, and
// if the file is damaged every write is refused (storage's
// db_error_damaged, in the user's language), /healthz answers 503, and
// the log says what the check found and what to do.
func (a *App) checkInBackground(ctx context.Context) {
	a.Store.CheckInBackground(ctx)
	go func() {
		err := a.Store.WaitIntegrity(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error("the database failed its start-up check: copbot refuses every write until it is restored from a backup (copbot restore)",
				"path", a.cfg.Storage.Path, "err", err)
		}
	}()
}

// unusableDBError refuses to start over a database that fails its checks:
// the cause, then what to do, in both languages. It unwraps to the cause.
type unusableDBError struct {
	path string
	err  error
}

func (e *unusableDBError) Error() string {
	return fmt.Sprintf("%v\nThe database %s cannot be used: check that its file and folder are writable and the disk has space, or restore a backup. copbot did not start.\n"+
		"La base de données %s est inutilisable : vérifiez que son fichier et son dossier sont accessibles en écriture et que le disque a de l’espace, ou restaurez une copie de sauvegarde. copbot n’a pas démarré.", e.err, e.path, e.path)
}

func (e *unusableDBError) Unwrap() error { return e.err }

// healthz answers 200 "ok" when the database passes its checks (cached for
// healthTTL), else 503 with the reason. While serve's start-up check runs
// it answers 200 at once: reads are served, writes wait for the verdict.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if a.Store.Integrity().Running {
		// Not cached: the verdict may come at any moment. The body stays
		// "ok" for probes that read it; the header says why it is quick.
		w.Header().Set("Copbot-Integrity-Check", "running; writes wait for it")
		io.WriteString(w, "ok\n")
		return
	}
	if err := a.health.check(ctx, a.now(), a.Store.Health); err != nil {
		a.log.Error("health check", "err", err)
		http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}
