package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"copbot/storage"
)

// cmdRestore puts a backup (from `copbot backup`, or a file `litestream
// restore` wrote) in place as [storage] path: the backup must pass
// quick_check and not come from a newer copbot, the copy must pass
// integrity_check, and the target must not exist, so a restore never
// overwrites a database (move it aside first).
func cmdRestore(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("restore", env)
	cfgPath := fs.String("config", "", "config file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	from, to := pos[0], cfg.Storage.Path
	if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: %s already exists; stop copbot and move it (and its -wal and -shm files) aside first / "+
			"%s existe déjà : arrêtez copbot et déplacez-la (avec ses fichiers -wal et -shm) d’abord", to, to)
	}
	plan, err := storage.CheckMigrations(ctx, from)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", from, err)
	}
	if !plan.Exists {
		return fmt.Errorf("restore: %s does not exist / %s n’existe pas", from, from)
	}
	if len(plan.Future) > 0 {
		known := storage.Migrations()
		return &storage.FutureSchemaError{Path: from, Future: plan.Future, Newest: known[len(known)-1]}
	}
	if err := storage.BackupFile(ctx, from, to); err != nil {
		return fmt.Errorf("restore failed, nothing was written / la restauration a échoué, rien n’a été écrit : %w", err)
	}
	fmt.Fprintf(env.Stdout, "restored %s to %s; integrity_check ok (schema %s, %d migrations to apply at the next start) / "+
		"%s restaurée dans %s ; integrity_check ok\n", from, to, orNone(plan.Latest()), len(plan.Pending), from, to)
	return nil
}

// cmdHealthcheck asks the local server's /healthz, for a container's
// HEALTHCHECK (the image has no curl): exit 0 when it answers 200.
func cmdHealthcheck(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("healthcheck", env)
	cfgPath := fs.String("config", "", "config file")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %q: %w", cfg.HTTP.Listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	fmt.Fprintln(env.Stdout, "ok")
	return nil
}
