package bot

import (
	"context"
	"fmt"
	"io"

	"copbot/handlers/report"
	"copbot/internal/demo"
)

// cmdReport: copbot report --from DATE --to DATE [-lang en|fr]
// [-format md|html|docx] [-o FILE] writes the report to the Council.
func cmdReport(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("report", env)
	cfgPath := fs.String("config", "", "config file")
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the period, YYYY-MM-DD")
	nextFrom := fs.String("next-from", "", "first day of the next period, YYYY-MM-DD (default: the day after -to)")
	nextTo := fs.String("next-to", "", "last day of the next period, YYYY-MM-DD (default: twelve months on)")
	lang := fs.String("lang", "", "en or fr (default: the community's)")
	format := fs.String("format", "md", "md, html or docx (an editable Word document)")
	out := fs.String("o", "", "output file, - for standard output (default: standard output; for docx, the report's file name here)")
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	period, err := report.ParsePeriod(*from, *to)
	if err == nil {
		period, err = period.WithNext(*nextFrom, *nextTo)
	}
	if err != nil {
		return err
	}
	app, cfg, err := openApp(ctx, *cfgPath, global, env, false)
	if err != nil {
		return err
	}
	defer app.Close()
	if *lang == "" {
		*lang = cfg.Community.DefaultLanguage
	}
	if *out == "" && report.Format(*format) == report.DOCX {
		// A Word file is not for a terminal: it goes to a file unless
		// "-o -" asks for standard output.
		*out = report.FileName(period, *lang, report.DOCX)
	}
	err = writeOut(*out, env.Stdout, func(w io.Writer) error {
		return app.Features.Report.Report(ctx, w, period, *lang, report.Format(*format))
	})
	if err == nil && *out != "" && *out != "-" {
		fmt.Fprintf(env.Stderr, "wrote %s / %s écrit\n", *out, *out)
	}
	return err
}

// cmdDemo: copbot demo [-db FILE] fills a new database with the demo
// community (see internal/demo); it refuses one that has data.
func cmdDemo(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("demo", env)
	cfgPath := fs.String("config", "", "config file")
	db := fs.String("db", "", "database file (default: the configured one)")
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errUsage
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	if *db != "" {
		cfg.Storage.Path = *db
	}
	app, err := NewApp(ctx, cfg, AppOptions{Logger: newLogger(cfg, env.Stderr, false)})
	if err != nil {
		return err
	}
	defer app.Close()
	if err := demo.Seed(ctx, app.Store); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "demo community written to %s / communauté de démonstration écrite dans %s\n"+
		"try / essayez : COPBOT_DB=%s copbot report --from 2026-09-01 --to 2027-01-31 -format html -o report.html\n",
		cfg.Storage.Path, cfg.Storage.Path, cfg.Storage.Path)
	return nil
}
