package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"copbot/storage"
)

// cmdSlack runs `copbot slack workspaces` and `copbot slack channel`.
func cmdSlack(ctx context.Context, args []string, global string, env Env) error {
	switch {
	case len(args) > 0 && args[0] == "workspaces":
		return cmdSlackWorkspaces(ctx, args, global, env)
	case len(args) > 0 && args[0] == "channel":
		return cmdSlackChannel(cliActor(ctx, env), args, global, env)
	}
	return errUsage
}

// cmdSlackChannel: copbot slack channel TEAM CHANNEL [-config F] makes
// CHANNEL (an id, C…) the community channel of the installed workspace
// TEAM, for when none was picked at install or it moves. It is audited
// (slack.channel); copbot serve uses it from its next community post.
func cmdSlackChannel(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("slack channel", env)
	cfgPath := fs.String("config", "", "config file")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 2 || !strings.HasPrefix(pos[0], "T") || !strings.HasPrefix(pos[1], "C") && !strings.HasPrefix(pos[1], "G") {
		fmt.Fprintln(env.Stderr, "copbot slack channel TEAM CHANNEL: a workspace id (T…) and a channel id (C…), as `copbot slack workspaces` and the channel's details show them / "+
			"un identifiant d’espace de travail (T…) et un identifiant de canal (C…)")
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	db, err := storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetSlackChannel(ctx, pos[0], pos[1]); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("copbot is not installed in workspace %s (see `copbot slack workspaces`) / "+
			"copbot n’est pas installé dans l’espace de travail %s", pos[0], pos[0])
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: community posts now go to %s, from the next one / les publications de la Communauté vont maintenant dans %s, dès la prochaine\n",
		pos[0], pos[1], pos[1])
	return nil
}

// cmdSlackWorkspaces: copbot slack workspaces [-config F] lists the Slack
// workspaces copbot was installed in over /slack/install, removed ones
// too, with each one's community channel and installer; never a token. It
// reads the database read-only, so it works while the bot runs.
func cmdSlackWorkspaces(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("slack workspaces", env)
	cfgPath := fs.String("config", "", "config file")
	if pos, err := parseInterleaved(fs, args[1:]); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
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
