package bot

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"copbot/storage"
)

// cmdSlack: copbot slack workspaces [-config F] lists the Slack workspaces
// copbot was installed in over /slack/install, removed ones too, with
// each one's community channel and installer; never a token. It reads the
// database read-only, so it works while the bot runs.
func cmdSlack(ctx context.Context, args []string, global string, env Env) error {
	if len(args) == 0 || args[0] != "workspaces" {
		return errUsage
	}
	fs := newFlags("slack workspaces", env)
	cfgPath := fs.String("config", "", "config file")
	if pos, err := parseInterleaved(fs, args[1:]); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	if *cfgPath == "" {
		*cfgPath = global
	}
	cfg, err := LoadConfig(FindConfig(*cfgPath, env.Getenv), env.Getenv)
	if err != nil {
		return err
	}
	db, err := storage.OpenReadOnly(ctx, cfg.Storage.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, err := db.SlackWorkspaces(ctx)
	if err != nil {
		return fmt.Errorf("slack workspaces: %w (a database older than installs: start copbot once to upgrade it / "+
			"une base antérieure aux installations : lancez copbot une fois pour la mettre à jour)", err)
	}
	if len(ws) == 0 {
		fmt.Fprintln(env.Stdout, "no workspace installed over /slack/install / aucun espace de travail installé par /slack/install")
		return nil
	}
	loc := cfg.Location()
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TEAM\tNAME\tCHANNEL\tINSTALLED\tBY\tREMOVED")
	for _, w := range ws {
		removed := "-"
		if !w.RemovedAt.IsZero() {
			removed = day(w.RemovedAt) + " (" + w.RemovedWhy + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", w.TeamID, w.TeamName, orDash(w.ChannelID), day(w.InstalledAt),
			orDash(w.Installer), removed)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
