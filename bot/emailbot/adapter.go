// Package emailbot is copbot's email adapter: it renders the email
// feature's neutral messages (handlers/email) as MIME mail, with a
// text/calendar part for meeting invitations, and sends them over SMTP
// with wneessen/go-mail.
package emailbot

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"copbot/handlers"
	"copbot/handlers/email"
)

// TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // the default: plain connection upgraded, required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // a local relay only: no encryption, so no password
)

// Config is the SMTP side of the [email] section.
type Config struct {
	SMTP     string // host:port
	TLS      string // TLSStartTLS (""), TLSImplicit or TLSNone
	Username string
	Password string
	From     string // "Name <address>" or an address
	// Salt makes Message-IDs unique to this installation (its id): two
	// copbots' "email:meeting:1:0:1" are not one message.
	Salt string
	// Timeout bounds one connection and send; zero means 30 s.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS settings (tests trust
	// their own certificate with it).
	TLSConfig *tls.Config
}

// Adapter sends email.Messages over SMTP. Each Send opens its own
// connection: a few messages per event do not need a pool, and a dropped
// connection never poisons the next message.
type Adapter struct {
	cfg  Config
	from *mail.Address
	host string
	port int
	log  *slog.Logger
}

var _ email.Sender = (*Adapter)(nil)

// New checks cfg and returns the adapter. It does not connect.
func New(cfg Config, log *slog.Logger) (*Adapter, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	from, _ := mail.ParseAddress(cfg.From)
	host, p, _ := net.SplitHostPort(cfg.SMTP)
	port, _ := strconv.Atoi(p)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{cfg: cfg, from: from, host: host, port: port, log: log}, nil
}

// From is the sender's address: the organizer of invitations.
func (a *Adapter) From() email.Address { return email.Address{Name: a.from.Name, Addr: a.from.Address} }

// Validate checks the settings, with errors in English and French that
// say what to write.
func Validate(c Config) error {
	var errs []error
	bad := func(key, en, fr string, args ...any) {
		errs = append(errs, fmt.Errorf("email.%s: %s / %s", key, fmt.Sprintf(en, args...), fmt.Sprintf(fr, args...)))
	}
	host, port, err := net.SplitHostPort(c.SMTP)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n <= 0 || n > 65535 {
		bad("smtp", "%q is not host:port, such as \"smtp.example.gc.ca:587\"",
			"%q n’est pas de la forme hôte:port, par exemple « smtp.example.gc.ca:587 »", c.SMTP)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit:
	case TLSNone:
		if ip := net.ParseIP(host); err == nil && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			bad("tls", "\"none\" is for a relay on this machine only (127.0.0.1, ::1 or localhost), not %q: use \"starttls\" or \"tls\"",
				"« none » est réservé à un relais sur cette machine (127.0.0.1, ::1 ou localhost), pas %q : utilisez « starttls » ou « tls »", host)
		}
		if c.Password != "" {
			bad("tls", "\"none\" would send the password unencrypted: use \"starttls\" or \"tls\", or a local relay without a password",
				"« none » enverrait le mot de passe en clair : utilisez « starttls » ou « tls », ou un relais local sans mot de passe")
		}
	default:
		bad("tls", "%q is not \"starttls\", \"tls\" or \"none\"", "%q n’est ni « starttls », ni « tls », ni « none »", c.TLS)
	}
	if (c.Username == "") != (c.Password == "") {
		bad("username", "username and password go together (the password from COPBOT_EMAIL_PASSWORD)",
			"le nom d’utilisateur et le mot de passe vont ensemble (le mot de passe dans COPBOT_EMAIL_PASSWORD)")
	}
	if a, err := mail.ParseAddress(c.From); err != nil || !strings.Contains(a.Address, "@") {
		bad("from", "%q is not an address such as \"CoP <cop@example.gc.ca>\"",
			"%q n’est pas une adresse comme « CdP <cdp@example.gc.ca> »", c.From)
	}
	return errors.Join(errs...)
}

// MessageID is the Message-ID of the message under key: the same for
// every attempt, so that a resend after a lost answer is recognised as
// the same message (and dropped) by mail systems that saw the first.
func (a *Adapter) MessageID(key string) string {
	sum := sha256.Sum256([]byte(a.cfg.Salt + "\x00" + key))
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20]))
	_, domain, _ := strings.Cut(a.from.Address, "@")
	return id + "@" + domain
}

// Send renders m and sends it. Errors follow email.Sender: a refusal by
// the server, or a failure before the message's content was handed over,
// is a *handlers.PostFailure; a connection lost while the content or its
// answer was on the way is returned as is (the message may have arrived).
func (a *Adapter) Send(ctx context.Context, m email.Message) error {
	msg, err := a.compose(m)
	if err != nil {
		return handlers.NotSent("compose", err)
	}
	c, err := a.client()
	if err != nil {
		return handlers.NotSent("config", err)
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	return classify(c.DialAndSendWithContext(ctx, msg), msg)
}

func (a *Adapter) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(a.port), gomail.WithTimeout(a.cfg.Timeout)}
	switch a.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if a.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(a.cfg.TLSConfig))
	}
	if a.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(a.cfg.Username), gomail.WithPassword(a.cfg.Password))
	}
	return gomail.NewClient(a.host, opts...)
}

// compose builds the MIME message: multipart/alternative of text/plain,
// text/html and, for an invitation, text/calendar; method=… (the part
// Outlook and Gmail act on).
func (a *Adapter) compose(m email.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(a.from)
	if err := msg.AddToFormat(m.To.Name, m.To.Addr); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(a.MessageID(m.Key))
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderContentLang, contentLanguage(m.Lang))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if err := a.unsubscribe(msg, m.Unsubscribe); err != nil {
		return nil, err
	}
	text, htmlBody := Render(m.Body)
	msg.SetBodyString(gomail.TypeTextPlain, text, gomail.WithPartEncoding(gomail.EncodingQP))
	msg.AddAlternativeString(gomail.TypeTextHTML, htmlBody, gomail.WithPartEncoding(gomail.EncodingQP))
	if m.Invite != nil {
		msg.AddAlternativeString(gomail.ContentType("text/calendar; method="+m.Invite.Method),
			Calendar(*m.Invite), gomail.WithPartEncoding(gomail.EncodingB64))
	}
	return msg, nil
}

// unsubscribe sets List-Unsubscribe: the https one-click link with
// List-Unsubscribe-Post (RFC 8058) when there is one, and the mailto.
func (a *Adapter) unsubscribe(msg *gomail.Msg, u email.Unsubscribe) error {
	var more []string
	if u.Mailto != "" {
		more = append(more, u.Mailto)
	}
	if u.URL != "" {
		return msg.SetListUnsubscribeOneClick(u.URL, more...)
	}
	if len(more) > 0 {
		msg.SetListUnsubscribe(more...)
	}
	return nil
}

func contentLanguage(lang string) string {
	if lang == "en" || lang == "fr" {
		return lang + "-CA"
	}
	return "en-CA, fr-CA"
}

// classify turns go-mail's error into the email.Sender contract.
func classify(err error, msg *gomail.Msg) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		// No SendError: the connection, greeting, TLS or authentication
		// failed, before any message was handed over.
		return handlers.NotSent("connect", err)
	}
	if msg.IsDelivered() {
		return nil // only the RSET after the accepted message failed
	}
	detail := ""
	if code := se.ErrorCode(); code > 0 {
		detail = "SMTP " + strconv.Itoa(code)
	}
	switch se.Reason {
	case gomail.ErrWriteContent, gomail.ErrSMTPDataClose, gomail.ErrAmbiguous:
		if se.ErrorCode() >= 400 {
			return handlers.Refused(detail, err) // the server answered the data with a refusal
		}
		return fmt.Errorf("no answer after the message was sent: %w", err)
	}
	if se.ErrorCode() >= 400 {
		return handlers.Refused(detail, err)
	}
	return handlers.NotSent(detail, err)
}
