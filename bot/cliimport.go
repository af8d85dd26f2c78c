package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/meetings"
)

// cmdImport runs `copbot import members FILE.csv [-lang en|fr] [-new-orgs]`. Its
// report is in -lang; without -lang, in English then French, as the
// command line has no user language. File errors are bilingual always.
func cmdImport(ctx context.Context, args []string, global string, env Env) error {
	flags := newFlags("import", env)
	cfgPath := flags.String("config", "", "config file")
	lang := flags.String("lang", "", "language of the report: en or fr (default: both)")
	newOrgs := flags.Bool("new-orgs", false, "add organizations the registry does not know as new entries, close ones included")
	pos, err := parseInterleaved(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "members" && pos[0] != "meetings") {
		return errUsage
	}
	if *lang != "" && *lang != "en" && *lang != "fr" {
		return fmt.Errorf("-lang: %q is not en or fr / %q n’est ni en ni fr", *lang, *lang)
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return fileError(pos[1], err)
	}
	defer f.Close()
	app, _, err := openApp(ctx, *cfgPath, global, env, false)
	if err != nil {
		return err
	}
	defer app.Close()
	if pos[0] == "meetings" {
		return importPastMeetings(ctx, app, f, pos[1], *lang, env)
	}
	rep, err := app.Features.Directory.ImportRosterWith(ctx, f, *lang, *newOrgs)
	if err != nil && !errors.Is(err, directory.ErrRosterRejected) {
		return fileError(pos[1], err) // nothing was read: no report to show
	}
	fmt.Fprintln(env.Stdout, importReport(rep, app.Service.Translator(), *lang))
	if err != nil {
		return errors.New("import refused: nothing was changed / importation refusée : rien n’a été modifié")
	}
	return nil
}

// importPastMeetings runs `copbot import meetings FILE.csv`: meetings that
// took place, recorded as held (see meetings.ImportPastMeetings). Its
// report is in lang, or in English then French.
func importPastMeetings(ctx context.Context, app *App, f io.Reader, path, lang string, env Env) error {
	rep, err := app.Features.Meetings.ImportPastMeetings(ctx, f)
	if err != nil && !errors.Is(err, meetings.ErrPastImportRejected) {
		return fileError(path, err)
	}
	m := app.Features.Meetings
	if lang != "" {
		fmt.Fprintln(env.Stdout, rep.Text(m, lang))
	} else {
		fmt.Fprintln(env.Stdout, rep.Text(m, "en")+"\n\n—\n\n"+rep.Text(m, "fr"))
	}
	if err != nil {
		return errors.New("import refused: nothing was changed / importation refusée : rien n’a été modifié")
	}
	return nil
}

// importReport is the report in lang, or in both languages when lang is "".
func importReport(rep directory.ImportReport, tr *handlers.Translator, lang string) string {
	if lang != "" {
		return strings.TrimRight(rep.Text(tr, lang), "\n")
	}
	return strings.TrimRight(rep.Text(tr, "en"), "\n") + "\n\n—\n\n" + strings.TrimRight(rep.Text(tr, "fr"), "\n")
}

// fileError says in both languages why a roster file could not be read.
func fileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file / fichier introuvable", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied / accès refusé", path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "directory") {
		return fmt.Errorf("%s: is a folder, not a CSV file / est un dossier, pas un fichier CSV", path)
	}
	return fmt.Errorf("%s: cannot be read (%v) / illisible (%v)", path, err, err)
}
