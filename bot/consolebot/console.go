// Package consolebot is the terminal adapter, like Hubot's shell: it reads
// commands from a terminal or a pipe, prints replies as text, asks forms
// one field at a time, and is the community channel when no platform is
// configured.
package consolebot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"copbot/handlers"
	"copbot/storage"
)

// Console is the terminal adapter, like Hubot's shell: one command or
// question per line in, the reply as text out. Lines starting with ":" are
// console directives (:as USER, :lang en|fr, :quit). It is also the
// community channel in console mode: reminders and polls print to it.
type Console struct {
	svc         *handlers.Service
	in          io.Reader
	interactive bool // print prompts and a banner (stdin is a terminal)

	mu     sync.Mutex // serializes writes: replies and scheduled posts interleave
	out    io.Writer
	user   string
	locale string
	seq    int
	next   func(ctx context.Context) (int64, error) // persistent message numbers (NumberWith)
	// holding: a command is running; channel messages wait in held.
	holding bool
	held    []string
	// FileDir is where a reply's file (the report) is written; empty means
	// the system's temporary directory.
	FileDir string
}

// New reads from in and writes to out as user, with lang as the
// locale hint for a user who is not a member yet.
func New(svc *handlers.Service, in io.Reader, out io.Writer, user, lang string, interactive bool) *Console {
	if user == "" {
		user = "you"
	}
	return &Console{svc: svc, in: in, out: out, user: user, locale: lang, interactive: interactive}
}

// maxLine is the longest console line handled. A longer one is refused
// with a message and skipped whole; the session goes on.
const maxLine = 1 << 20

// inputLine is one line read, or the news that a line was too long.
type inputLine struct {
	text    string
	tooLong bool
}

// Run reads lines until EOF, :quit or ctx is done.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan inputLine)
	errc := make(chan error, 1)
	go func() {
		errc <- readLines(ctx, bufio.NewReader(c.in), lines)
		close(lines)
	}()
	var eof bool
	next := func() (string, bool) {
		for {
			select {
			case <-ctx.Done():
				return "", false
			case in, ok := <-lines:
				eof = !ok
				if !in.tooLong {
					return in.text, ok
				}
				c.write(fmt.Sprintf("That line is longer than %d bytes, so it was ignored. Nothing was changed.\n"+
					"Cette ligne dépasse %d octets ; elle a donc été ignorée. Rien n’a été modifié.\n\n", maxLine, maxLine))
			}
		}
	}
	c.banner()
	for {
		c.prompt()
		line, ok := next()
		switch {
		case eof:
			return <-errc
		case !ok:
			return nil
		}
		if quit := c.line(ctx, line, next); quit {
			return nil
		}
		if eof {
			return <-errc
		}
	}
}

// readLines sends the lines of br to out until EOF (nil) or a read error.
func readLines(ctx context.Context, br *bufio.Reader, out chan<- inputLine) error {
	for {
		in, err := readLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case out <- in:
		case <-ctx.Done():
			return nil
		}
	}
}

// readLine reads one line without its end of line ("\n" or "\r\n"). A
// line longer than maxLine is read to its end but not kept: only its
// first maxLine bytes are ever held in memory.
func readLine(br *bufio.Reader) (inputLine, error) {
	var buf []byte
	var in inputLine
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLine+2 { // room for "\r\n"
			in.tooLong, buf = true, buf[:0]
		} else if !in.tooLong {
			buf = append(buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && (len(buf) > 0 || in.tooLong):
			err = nil // a last line without end of line
		case err != nil:
			return in, err
		}
		in.text = strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		if len(in.text) > maxLine {
			in = inputLine{tooLong: true}
		}
		return in, nil
	}
}

// line handles one input line and reports whether to stop. next reads
// further lines for a form's step-by-step prompts.
func (c *Console) line(ctx context.Context, line string, next func() (string, bool)) bool {
	line = strings.TrimSpace(line)
	switch {
	case line == "" || strings.HasPrefix(line, "#"):
		return false
	case strings.HasPrefix(line, ":"):
		return c.directive(line)
	}
	c.hold()
	defer c.release()
	r := c.svc.Handle(ctx, c.request(line))
	if r.Form != nil && c.interactive {
		r = c.fill(ctx, r, next)
	}
	c.write(RenderText(r) + "\n") // a blank line between replies
	c.saveFile(r)
	// The channel posts and updates the command caused (live poll
	// results) print now, after its reply and before the next prompt.
	c.svc.Flush()
	return false
}

// hold keeps channel messages back while a command runs, so that they print
// in a fixed place (after the reply) and never inside a prompt.
func (c *Console) hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = true
}

// release prints the channel messages held back and stops holding.
func (c *Console) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	for _, m := range c.held {
		io.WriteString(c.out, m)
	}
	c.held = nil
}

// channel prints a channel message, or holds it while a command runs.
func (c *Console) channel(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		c.held = append(c.held, s)
		return
	}
	io.WriteString(c.out, s)
}

func (c *Console) request(text string) handlers.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return handlers.Request{
		Identity: storage.Identity{Platform: storage.PlatformConsole, ID: c.user},
		UserName: c.user, Locale: c.locale, ChannelID: "console", Text: text,
	}
}

func (c *Console) directive(line string) bool {
	cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, ":"), " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "quit", "q", "exit":
		return true
	case "as":
		if arg == "" {
			c.write("usage: :as USER / utilisation : :as UTILISATEUR\n")
			return false
		}
		c.mu.Lock()
		c.user = arg
		c.mu.Unlock()
		c.info("(now acting as %s / vous agissez maintenant en tant que %s)\n", arg, arg)
	case "lang":
		if arg != "en" && arg != "fr" {
			c.write("usage / utilisation : :lang en|fr\n")
			return false
		}
		c.mu.Lock()
		c.locale = arg
		c.mu.Unlock()
	default:
		c.write("console directives: :as USER, :lang en|fr, :quit / directives de la console : :as UTILISATEUR, :lang en|fr, :quit\n")
	}
	return false
}

func (c *Console) banner() {
	c.info("copbot console — type \"help\"; :as USER switches user, :quit leaves.\n" +
		"console de copbot — tapez « aide » ; :as UTILISATEUR change d’utilisateur, :quit pour sortir.\n")
}

func (c *Console) prompt() { c.promptf("%s> ", c.user) }

// promptf writes a prompt, in interactive mode only.
func (c *Console) promptf(format string, a ...any) {
	if c.interactive {
		c.mu.Lock()
		fmt.Fprintf(c.out, format, a...)
		c.mu.Unlock()
	}
}

// info writes only in interactive mode, so piped output holds replies only.
func (c *Console) info(format string, a ...any) {
	if c.interactive {
		c.write(fmt.Sprintf(format, a...))
	}
}

func (c *Console) write(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.out, s)
}

// NumberWith makes next the source of message numbers, so that they
// survive restarts (a "message 1" must never name two posts: `poll delete`
// would say it updated the wrong one). Without it they count from 1.
func (c *Console) NumberWith(next func(ctx context.Context) (int64, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = next
}

// number returns the next message number.
func (c *Console) number(ctx context.Context) (string, error) {
	c.mu.Lock()
	next := c.next
	c.seq++
	n := c.seq
	c.mu.Unlock()
	if next == nil {
		return strconv.Itoa(n), nil
	}
	v, err := next(ctx)
	return strconv.FormatInt(v, 10), err
}

// Post prints a community post; the console is the community channel.
func (c *Console) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	id, err := c.number(ctx)
	if err != nil {
		return nil, err
	}
	c.channel(label("[#community · message "+id+"]", RenderText(r)))
	return []handlers.MessageRef{{Platform: storage.PlatformConsole, Channel: "community", ID: id}}, nil
}

// Direct prints a private message to one console user.
func (c *Console) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	c.channel(label("[private to "+to.ID+" / message privé à "+to.ID+"]", RenderText(r)))
	return nil
}

// Update prints the new version of a message posted earlier.
func (c *Console) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	c.channel(label("[#community · message "+ref.ID+" updated / mis à jour]", RenderText(r)))
	return nil
}

// label heads a message that is not a reply to the console user: what
// the community channel, or one person privately, would see.
func label(head, body string) string {
	return head + "\n" + body + "\n"
}
