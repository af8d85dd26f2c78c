// Command copbot runs the Contact Centre Community of Practice bot. With no
// configuration it opens a console on ./copbot.db; see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"copbot/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal the stop is graceful (see bot.App.Serve); a
	// second one ends the process at once, as if copbot caught none.
	go func() { <-ctx.Done(); stop() }()
	code := bot.Main(ctx, os.Args[1:], bot.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Interactive: isTerminal(os.Stdin),
	})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device, so piped input gets
// replies only, without prompts.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
