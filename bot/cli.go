package bot

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// Env is what the command line runs against; tests supply their own.
type Env struct {
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
	Getenv      func(string) string
	Interactive bool // stdin is a terminal
}

const usage = `copbot — the Contact Centre Community of Practice bot / le robot de la communauté de pratique

Usage / Utilisation :
  copbot [-config FILE]                     console, or serve when Slack/Teams is configured
                                            console, ou serveur si Slack/Teams est configuré
  copbot console [-config F] [-as USER] [-lang en|fr]
  copbot serve   [-config F] [-listen ADDR]
  copbot import members FILE.csv [-config F] [-lang en|fr] [-new-orgs]
  copbot import meetings FILE.csv [-config F] [-lang en|fr]   past meetings, held / réunions passées, tenues
  copbot export members  [-config F] [-o FILE]
  copbot export calendar [-config F] [-o FILE]
  copbot export poll ID  [-config F] [-o FILE]
  copbot backup FILE     [-config F]
  copbot report --from 2026-09-01 --to 2027-01-31 [-next-from D -next-to D] [-lang en|fr] [-format md|html] [-o FILE] [-config F]
  copbot audit  [-since DATE] [-until DATE] [-actor ID] [-action A] [-json] [-config F]
                                            the audit log of coordinators' actions / le journal d’audit
  copbot demo [-db FILE] [-config F]        a fictional community in a new database / une communauté fictive
  copbot restore BACKUP  [-config F]       a verified copy of BACKUP as the database / restaurer une copie
  copbot healthcheck     [-config F]       ask the running server's /healthz (for containers)
  copbot slack workspaces [-config F]      workspaces installed over /slack/install / espaces de travail installés
  copbot slack channel TEAM CHANNEL [-config F]   a workspace's community channel / le canal d’un espace de travail
  copbot email test ADDRESS [-config F]     send one message through [email] / envoyer un courriel d’essai
  copbot migrate [-check] [-config F]       upgrade the database (a verified copy first) / mettre la base à jour
  copbot version                            version, commit, Go and SQLite / version, commit, Go et SQLite

Config: -config FILE, else $COPBOT_CONFIG, else ./copbot.toml, else built-in defaults
(see config.example.toml).
Configuration : -config FICHIER, sinon $COPBOT_CONFIG, sinon ./copbot.toml, sinon les valeurs
par défaut (voir config.example.toml).
`

// Main runs the copbot command line and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	err := run(ctx, args, env)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprint(env.Stderr, usage)
		return 2
	default:
		fmt.Fprintln(env.Stderr, "copbot:", userMessage(err))
		return 1
	}
}

// userMessage shows a user-safe storage error in both languages (the
// command line has no user language); anything else as it is.
func userMessage(err error) string {
	if fe, ok := asFuture(err); ok {
		return futureMessage(fe)
	}
	var se *storage.Error
	if !errors.As(err, &se) || se.Code == storage.EINTERNAL {
		return err.Error()
	}
	tr, terr := handlers.NewTranslator()
	if terr != nil {
		return err.Error()
	}
	args := map[string]any{"Slash": "/cop"}
	for k, v := range se.Args {
		args[k] = v
	}
	return tr.T("en", se.Key, args) + " / " + tr.T("fr", se.Key, args)
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, env Env) error {
	global := newFlags("copbot", env)
	cfgPath := global.String("config", "", "config file")
	if err := global.Parse(args); err != nil {
		return err
	}
	rest := global.Args()
	if len(rest) == 0 {
		return cmdDefault(ctx, *cfgPath, env)
	}
	switch rest[0] {
	case "console":
		return cmdConsole(ctx, rest[1:], *cfgPath, env)
	case "serve":
		return cmdServe(ctx, rest[1:], *cfgPath, env)
	case "import":
		return cmdImport(cliActor(ctx, env), rest[1:], *cfgPath, env)
	case "export":
		return cmdExport(cliActor(ctx, env), rest[1:], *cfgPath, env)
	case "backup":
		return cmdBackup(ctx, rest[1:], *cfgPath, env)
	case "report":
		return cmdReport(cliActor(ctx, env), rest[1:], *cfgPath, env)
	case "audit":
		return cmdAudit(ctx, rest[1:], *cfgPath, env)
	case "demo":
		return cmdDemo(ctx, rest[1:], *cfgPath, env)
	case "restore":
		return cmdRestore(ctx, rest[1:], *cfgPath, env)
	case "healthcheck":
		return cmdHealthcheck(ctx, rest[1:], *cfgPath, env)
	case "slack":
		return cmdSlack(ctx, rest[1:], *cfgPath, env)
	case "email":
		return cmdEmail(ctx, rest[1:], *cfgPath, env)
	case "migrate":
		return cmdMigrate(ctx, rest[1:], *cfgPath, env)
	case "version", "-version", "--version":
		return cmdVersion(ctx, rest[1:], env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	fmt.Fprintf(env.Stderr, "copbot: unknown command %q / commande inconnue « %s »\n", rest[0], rest[0])
	return errUsage
}

func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, usage) }
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("import members f.csv -lang fr"), returning the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// cliConfig loads a subcommand's config: its own -config, else the one
// given before the subcommand, else FindConfig's.
func cliConfig(flagPath, globalPath string, env Env) (Config, error) {
	if flagPath == "" {
		flagPath = globalPath
	}
	return LoadConfig(FindConfig(flagPath, env.Getenv), env.Getenv)
}

// openApp loads the config (flag beats the global -config) and builds the
// App. Only a server logs its routine (info) events: in the console and
// one-shot commands they would mix with what the user reads.
func openApp(ctx context.Context, flagPath, globalPath string, env Env, serving bool) (*App, Config, error) {
	cfg, err := cliConfig(flagPath, globalPath, env)
	if err != nil {
		return nil, cfg, err
	}
	app, err := NewApp(ctx, cfg, AppOptions{Logger: newLogger(cfg, env.Stderr, serving)})
	// A server says it in its log (App.open); one-shot commands and the
	// console say it to the person who ran them.
	if err == nil && !serving && app.Store.Upgrade().Backup != "" {
		writeUpgrade(env.Stderr, cfg.Storage.Path, app.Store.Upgrade())
	}
	return app, cfg, err
}

func newLogger(cfg Config, w io.Writer, serving bool) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	if !serving && lvl == slog.LevelInfo {
		lvl = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdDefault(ctx context.Context, cfgPath string, env Env) error {
	cfg, err := LoadConfig(FindConfig(cfgPath, env.Getenv), env.Getenv)
	if err != nil {
		return err
	}
	if cfg.HasPlatforms() {
		return cmdServe(ctx, nil, cfgPath, env)
	}
	return cmdConsole(ctx, nil, cfgPath, env)
}

func cmdConsole(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("console", env)
	cfgPath := fs.String("config", "", "config file")
	as := fs.String("as", defaultUser(env.Getenv), "acting user")
	lang := fs.String("lang", "", "language for a user who is not a member: en or fr")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if *lang != "" && *lang != "en" && *lang != "fr" {
		return fmt.Errorf("-lang: %q is not en or fr / %q n’est ni en ni fr", *lang, *lang)
	}
	app, _, err := openApp(ctx, *cfgPath, global, env, false)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.RunConsole(ctx, env.Stdin, env.Stdout, *as, *lang, env.Interactive)
}

func defaultUser(getenv func(string) string) string {
	if u := getenv("USER"); u != "" {
		return u
	}
	return "you"
}

func cmdServe(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("serve", env)
	cfgPath := fs.String("config", "", "config file")
	listen := fs.String("listen", "", "listen address (overrides [http] listen)")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	app, _, err := openApp(ctx, *cfgPath, global, env, true)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.Listen(*listen); err != nil {
		return err
	}
	return app.Serve(ctx)
}

func cmdExport(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("export", env)
	cfgPath := fs.String("config", "", "config file")
	out := fs.String("o", "", "output file (default: standard output)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errUsage
	}
	app, _, err := openApp(ctx, *cfgPath, global, env, false)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := writeOut(*out, env.Stdout, func(w io.Writer) error { return export(ctx, app, pos, w) }); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		fmt.Fprintf(env.Stderr, "wrote %s / %s écrit\n", *out, *out)
	}
	return nil
}

func export(ctx context.Context, app *App, pos []string, w io.Writer) error {
	switch {
	case pos[0] == "members" && len(pos) == 1:
		return app.Features.Directory.ExportRoster(ctx, w)
	case pos[0] == "calendar" && len(pos) == 1:
		return app.Features.Meetings.Calendar(ctx, w)
	case pos[0] == "poll" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return fmt.Errorf("poll id %q is not a number / le numéro de sondage « %s » n’est pas un nombre", pos[1], pos[1])
		}
		return app.Features.Polls.ExportPoll(ctx, id, w)
	}
	return errUsage
}

// writeOut writes to path atomically (temp file then rename), or to stdout.
func writeOut(path string, stdout io.Writer, fn func(io.Writer) error) error {
	if path == "" || path == "-" {
		return fn(stdout)
	}
	tmp, err := os.CreateTemp(dirOf(path), ".copbot-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

func cmdBackup(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("backup", env)
	cfgPath := fs.String("config", "", "config file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	if _, err := os.Stat(pos[0]); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name / %s existe déjà : choisissez un autre nom de fichier", pos[0], pos[0])
	}
	// Only the configuration: the database is read, not opened for the
	// bot (no migration, no write), so a read-only file or mount works.
	path := *cfgPath
	if path == "" {
		path = global
	}
	cfg, err := LoadConfig(FindConfig(path, env.Getenv), env.Getenv)
	if err != nil {
		return err
	}
	if err := storage.BackupFile(ctx, cfg.Storage.Path, pos[0]); err != nil {
		return fmt.Errorf("backup failed / la sauvegarde a échoué : %w", err)
	}
	fmt.Fprintf(env.Stdout, "backup written to %s / copie de sauvegarde écrite dans %s\n", pos[0], pos[0])
	// For the metrics' backup age; a read-only database cannot say it,
	// which does not make the copy any less good.
	if err := storage.RecordBackup(ctx, cfg.Storage.Path); err != nil {
		fmt.Fprintf(env.Stderr, "copbot: the backup's time was not recorded in %s (%v) / l’heure de la sauvegarde n’a pas été notée\n", cfg.Storage.Path, err)
	}
	return nil
}
