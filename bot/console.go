package bot

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
}

// NewConsole reads from in and writes to out as user, with lang as the
// locale hint for a user who is not a member yet.
func NewConsole(svc *handlers.Service, in io.Reader, out io.Writer, user, lang string, interactive bool) *Console {
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
	c.banner()
	for {
		c.prompt()
		select {
		case <-ctx.Done():
			return nil
		case in, ok := <-lines:
			if !ok {
				return <-errc
			}
			if in.tooLong {
				c.write(fmt.Sprintf("That line is longer than %d bytes, so it was ignored. Nothing was changed.\n"+
					"Cette ligne dépasse %d octets ; elle a donc été ignorée. Rien n’a été modifié.\n\n", maxLine, maxLine))
				continue
			}
			if quit := c.line(ctx, in.text); quit {
				return nil
			}
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

// line handles one input line and reports whether to stop.
func (c *Console) line(ctx context.Context, line string) bool {
	line = strings.TrimSpace(line)
	switch {
	case line == "" || strings.HasPrefix(line, "#"):
		return false
	case strings.HasPrefix(line, ":"):
		return c.directive(line)
	}
	r := c.svc.Handle(ctx, c.request(line))
	c.write(RenderText(r) + "\n") // a blank line between replies
	return false
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

func (c *Console) prompt() {
	if c.interactive {
		c.mu.Lock()
		fmt.Fprintf(c.out, "%s> ", c.user)
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

// Post prints a community post; the console is the community channel.
func (c *Console) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	c.mu.Lock()
	c.seq++
	id := strconv.Itoa(c.seq)
	c.mu.Unlock()
	c.write(label("[#community · message "+id+"]", RenderText(r)))
	return []handlers.MessageRef{{Platform: storage.PlatformConsole, Channel: "community", ID: id}}, nil
}

// Direct prints a private message to one console user.
func (c *Console) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	c.write(label("[private to "+to.ID+" / message privé à "+to.ID+"]", RenderText(r)))
	return nil
}

// Update prints the new version of a message posted earlier.
func (c *Console) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	c.write(label("[#community · message "+ref.ID+" updated / mis à jour]", RenderText(r)))
	return nil
}

// label heads a message that is not a reply to the console user: what
// the community channel, or one person privately, would see.
func label(head, body string) string {
	return head + "\n" + body + "\n"
}
