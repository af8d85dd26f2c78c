package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"text/tabwriter"
	"time"

	"copbot/storage"
)

// cmdAudit: copbot audit [-since DATE] [-until DATE] [-actor ID] [-action
// A] [-json] prints the audit log of coordinators' actions (role changes,
// imports, exports, deletions, report links, forgetting and retention
// purges), oldest first. It reads the database read-only, so it works on
// a copy or a read-only mount while the bot runs.
func cmdAudit(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("audit", env)
	cfgPath := fs.String("config", "", "config file")
	since := fs.String("since", "", "first day, YYYY-MM-DD (community time zone)")
	until := fs.String("until", "", "last day, YYYY-MM-DD (community time zone)")
	actor := fs.String("actor", "", "who acted: platform:id (slack:U0123ABCD; a bare name is a console user)")
	action := fs.String("action", "", "one action, e.g. role.add")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	f, err := auditFilter(cfg.Location(), *since, *until, *actor, *action)
	if err != nil {
		return err
	}
	db, err := storage.OpenReadOnly(ctx, cfg.Storage.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.FindAudit(ctx, f)
	if err != nil {
		return fmt.Errorf("audit log: %w (a database older than the audit log: start copbot once to upgrade it / "+
			"une base antérieure au journal d’audit : lancez copbot une fois pour la mettre à jour)", err)
	}
	slices.Reverse(entries) // oldest first, as a log reads
	if *asJSON {
		return writeAuditJSON(env.Stdout, entries)
	}
	return writeAuditText(env.Stdout, entries, cfg.Location())
}

// auditFilter reads the command's flags; dates are days in loc, -until
// inclusive.
func auditFilter(loc *time.Location, since, until, actor, action string) (storage.AuditFilter, error) {
	var f storage.AuditFilter
	day := func(flag, s string) (time.Time, error) {
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return d, fmt.Errorf("-%s %q is not a date YYYY-MM-DD / n’est pas une date AAAA-MM-JJ", flag, s)
		}
		return d, nil
	}
	var err error
	if since != "" {
		if f.From, err = day("since", since); err != nil {
			return f, err
		}
	}
	if until != "" {
		d, err := day("until", until)
		if err != nil {
			return f, err
		}
		f.Before = d.AddDate(0, 0, 1)
	}
	if actor != "" {
		c := Config{Community: CommunityConfig{Coordinators: []string{actor}}}
		ids, err := c.CoordinatorIdentities()
		if err != nil {
			return f, fmt.Errorf("-actor %w", err)
		}
		f.Actor = &ids[0]
	}
	f.Action = storage.AuditAction(action)
	return f, nil
}

func writeAuditText(w io.Writer, entries []*storage.AuditEntry, loc *time.Location) error {
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "no audit entries / aucune entrée d’audit")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tACTION\tON\tDETAIL")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.In(loc).Format("2006-01-02 15:04:05 -07:00"), auditWho(e),
			e.Action, e.Target, e.DetailText())
	}
	return tw.Flush()
}

// auditWho is "slack:U1 (Marie Tremblay, coordinator)", or the name alone
// (the command line), or "system".
func auditWho(e *storage.AuditEntry) string {
	who := e.ActorName
	if !e.Actor.IsZero() {
		who = e.Actor.String()
		if e.ActorName != "" {
			who += " (" + e.ActorName
			if e.Coordinator {
				who += ", coordinator"
			}
			who += ")"
		}
	}
	if who == "" {
		who = "system"
	}
	return who
}

func writeAuditJSON(w io.Writer, entries []*storage.AuditEntry) error {
	enc := json.NewEncoder(w)
	for _, e := range entries {
		row := map[string]any{"id": e.ID, "at": e.At.UTC().Format(time.RFC3339), "actor_name": e.ActorName,
			"coordinator": e.Coordinator, "action": e.Action, "target": e.Target, "detail": e.Detail}
		if !e.Actor.IsZero() {
			row["actor"] = e.Actor.String()
		}
		if e.MemberID != 0 {
			row["member_id"] = e.MemberID
		}
		if err := enc.Encode(row); err != nil {
			return err
		}
	}
	return nil
}

// cliActor marks ctx as the command line's for storage's audit log: the
// operator's login name, so that an import or an export run on the server
// is not anonymous.
func cliActor(ctx context.Context, env Env) context.Context {
	name := "command line"
	login := env.Getenv("USER")
	if login == "" {
		if u, err := user.Current(); err == nil {
			login = u.Username
		}
	}
	if host, err := os.Hostname(); err == nil && login != "" {
		login += "@" + host
	}
	if login != "" {
		name += " (" + login + ")"
	}
	return storage.WithActor(ctx, storage.Actor{Name: name})
}
