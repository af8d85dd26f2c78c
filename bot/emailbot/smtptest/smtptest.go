// Package smtptest runs a real SMTP server (emersion/go-smtp) on loopback
// for tests: it records every message it accepts, and can be told to
// refuse messages or to drop the connection after DATA without answering,
// as a server that crashed or a network that failed would.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted (or took in before it
// dropped the connection).
type Received struct {
	From string
	To   []string
	Data []byte
	// Dropped: the server read the message and closed the connection
	// without answering, so the client cannot know it arrived.
	Dropped bool
	TLS     bool   // the session was encrypted (STARTTLS or implicit)
	User    string // who authenticated, "" for nobody
}

// Server is a running SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	// ClientTLS trusts the server's certificate (for the client's
	// TLSConfig).
	ClientTLS *tls.Config

	srv *smtp.Server
	ln  net.Listener

	mu       sync.Mutex
	received []Received
	drop     int    // the next n messages are read, kept and dropped unanswered
	refuse   int    // the next n messages are refused with code
	code     int    // refusal code
	user     string // accepted credentials; "" accepts no AUTH at all
	pass     string
}

// Options configure Start.
type Options struct {
	Implicit bool   // TLS from the first byte instead of STARTTLS
	User     string // with Pass, the only credentials accepted (AUTH PLAIN)
	Pass     string
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{user: o.User, pass: o.Pass, ClientTLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	srv.Domain = "127.0.0.1"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.EnableSMTPUTF8 = true
	var (
		ln  net.Listener
		err error
	)
	if o.Implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.srv, s.ln, s.Addr = srv, ln, ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s
}

// DropNext makes the next n messages be read and kept, then the
// connection closed with no answer to the end of DATA.
func (s *Server) DropNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = n
}

// RefuseNext makes the next n messages be refused with code (550, 451…).
func (s *Server) RefuseNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse, s.code = n, code
}

// Received lists what the server took in, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

type session struct {
	s    *Server
	c    *smtp.Conn
	from string
	to   []string
	user string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.user || password != ss.s.pass {
			return errors.New("invalid credentials")
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, secure := ss.c.TLSConnectionState()
	got := Received{From: ss.from, To: ss.to, Data: data, TLS: secure, User: ss.user}
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return &smtp.SMTPError{Code: s.code, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused by the test"}
	}
	if s.drop > 0 {
		s.drop--
		got.Dropped = true
		s.received = append(s.received, got)
		ss.c.Conn().Close() // no answer to the end of DATA
		return nil
	}
	s.received = append(s.received, got)
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned is a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
