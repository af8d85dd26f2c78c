package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"copbot/storage"
)

// cmdMigrate brings the database up to date (a verified copy first, see
// storage.Open), or with -check only says what would run.
func cmdMigrate(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("migrate", env)
	cfgPath := fs.String("config", "", "config file")
	check := fs.Bool("check", false, "say what would run, change nothing")
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	path := cfg.Storage.Path
	if *check {
		plan, err := storage.CheckMigrations(ctx, path)
		if err != nil {
			return err
		}
		if len(plan.Future) > 0 {
			known := storage.Migrations()
			return &storage.FutureSchemaError{Path: path, Future: plan.Future, Newest: known[len(known)-1]}
		}
		return writePlan(env.Stdout, path, plan)
	}
	db, err := storage.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if u := db.Upgrade(); len(u.Applied) == 0 {
		fmt.Fprintf(env.Stdout, "%s is up to date / %s est à jour\n", path, path)
	} else {
		writeUpgrade(env.Stdout, path, u)
	}
	return nil
}

// writePlan says what `copbot migrate` (or any start) would do to path.
func writePlan(w io.Writer, path string, p storage.MigrationPlan) error {
	var b strings.Builder
	switch {
	case !p.Exists:
		fmt.Fprintf(&b, "%s does not exist: it would be created with %d migrations / %s n’existe pas : elle serait créée avec %d migrations\n",
			path, len(p.Pending), path, len(p.Pending))
	case len(p.Pending) == 0:
		fmt.Fprintf(&b, "%s is up to date (%s) / %s est à jour (%s)\n", path, p.Latest(), path, p.Latest())
	default:
		fmt.Fprintf(&b, "%s is at %s; %d migrations would run / %s en est à %s ; %d migrations s’appliqueraient :\n",
			path, orNone(p.Latest()), len(p.Pending), path, orNone(p.Latest()), len(p.Pending))
		for _, m := range p.Pending {
			fmt.Fprintf(&b, "  %s\n", m)
		}
		if len(p.Applied) > 0 {
			name := storage.BackupName(path, p.Pending[0], time.Now())
			fmt.Fprintf(&b, "A verified copy would be written first, such as / une copie vérifiée serait d’abord écrite, comme : %s\n", name)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeUpgrade tells what an open of path migrated and where the copy from
// before is.
func writeUpgrade(w io.Writer, path string, u storage.Upgrade) {
	fmt.Fprintf(w, "copbot: upgraded %s (%s) / base mise à jour\n", path, strings.Join(u.Applied, ", "))
	if u.Backup != "" {
		fmt.Fprintf(w, "copbot: the database as it was before, verified / la base telle qu’elle était, vérifiée : %s\n", u.Backup)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none / aucune)"
	}
	return s
}

// futureMessage explains a database from a newer copbot, in both
// languages, with what to do.
func futureMessage(e *storage.FutureSchemaError) string {
	last := e.Future[len(e.Future)-1]
	return fmt.Sprintf("The database %s was upgraded by a newer copbot (its schema has %s; this copbot knows up to %s). "+
		"copbot did not start and changed nothing. Run the newer copbot again, or, to go back to this version, restore the copy "+
		"made before that upgrade (%s.before-…).\n"+
		"La base de données %s a été mise à jour par une version plus récente de copbot (son schéma contient %s ; cette version "+
		"connaît jusqu’à %s). copbot n’a pas démarré et n’a rien modifié. Relancez la version plus récente ou, pour revenir à "+
		"celle-ci, restaurez la copie faite avant cette mise à jour (%s.before-…).",
		e.Path, last, e.Newest, e.Path, e.Path, last, e.Newest, e.Path)
}

// asFuture reports err's FutureSchemaError, if any.
func asFuture(err error) (*storage.FutureSchemaError, bool) {
	var fe *storage.FutureSchemaError
	ok := errors.As(err, &fe)
	return fe, ok
}
