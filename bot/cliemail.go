package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"

	"copbot/bot/emailbot"
	"copbot/handlers"
	"copbot/handlers/email"
)

// cmdEmail is `copbot email test ADDRESS`: one message through [email],
// so that a coordinator sees the settings work before a meeting depends
// on them. Nothing is recorded: each test is a new message.
func cmdEmail(ctx context.Context, args []string, global string, env Env) error {
	fs := newFlags("email", env)
	cfgPath := fs.String("config", "", "config file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "test" {
		return errUsage
	}
	to, err := mail.ParseAddress(pos[1])
	if err != nil {
		return fmt.Errorf("email test: %q is not an address / n’est pas une adresse", pos[1])
	}
	cfg, err := cliConfig(*cfgPath, global, env)
	if err != nil {
		return err
	}
	if cfg.Email.SMTP == "" {
		return errors.New("email test: [email] smtp is not set (see config.example.toml) / " +
			"[email] smtp n’est pas défini (voir config.example.toml)")
	}
	s, err := emailbot.New(cfg.EmailSettings(), nil)
	if err != nil {
		return err
	}
	tr, err := handlers.NewTranslator()
	if err != nil {
		return err
	}
	t := func(key string) (string, string) { return tr.T("en", key, nil), tr.T("fr", key, nil) }
	subjEN, subjFR := t("email_test_subject")
	bodyEN, bodyFR := t("email_test_body")
	m := email.Message{Key: "email:test:" + rand.Text(), To: email.Address{Name: to.Name, Addr: to.Address},
		Subject: subjEN + " / " + subjFR, Body: handlers.Reply{Kind: "email_test", Lang: "en+fr", Blocks: []handlers.Block{
			handlers.Section{Text: bodyEN}, handlers.Divider{}, handlers.Section{Text: bodyFR}}}}
	if err := s.Send(ctx, m); err != nil {
		return fmt.Errorf("email test: not sent / non envoyé: %w", err)
	}
	fmt.Fprintf(env.Stdout, "sent to %s through %s / envoyé à %s par %s\n", to.Address, cfg.Email.SMTP, to.Address, cfg.Email.SMTP)
	return nil
}
