package admission

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"copbot/bot/internal/admission/admissiontest"
)

// serveIntake serves POST / reading the body through in, answering 200
// with the body's length or Refuse's answer.
func serveIntake(t *testing.T, in *Intake, limit int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := in.Read(w, r, limit)
		if err != nil {
			Refuse(w, err)
			return
		}
		fmt.Fprint(w, len(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// slowBody sends the headers of a request whose body never comes, from
// the loopback address from, and returns the connection once the server
// has taken the request.
func slowBody(t *testing.T, srv *httptest.Server, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nslow")
	return c
}

// status reads one response's status code from c.
func status(t *testing.T, c net.Conn) int {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestIntakePerPeer: one address gets perPeer bodies read at once; the
// next is refused at once with 429, while another address is served.
func TestIntakePerPeer(t *testing.T) {
	in := NewIntake(3, time.Minute)
	srv := serveIntake(t, in, 1<<10)
	for range 3 {
		slowBody(t, srv, "127.0.0.1")
	}
	admissiontest.WaitFor(t, "3 bodies being read", func() bool { return in.Reading() == 3 })
	if got := status(t, slowBody(t, srv, "127.0.0.1")); got != http.StatusTooManyRequests {
		t.Errorf("fourth slow body of one address: %d, want 429", got)
	}
	resp, err := admissiontest.ClientFrom("127.0.0.2").Post(srv.URL, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "5" {
		t.Errorf("another address: %d %q, want 200 \"5\"", resp.StatusCode, b)
	}
	if in.Refused() != 1 {
		t.Errorf("refused %d, want 1", in.Refused())
	}
}

// TestIntakeDeadlineAndSize: a body that does not arrive within the
// deadline is refused with 408 and frees its peer's place; one over the
// limit with 413.
func TestIntakeDeadlineAndSize(t *testing.T) {
	in := NewIntake(1, 50*time.Millisecond)
	srv := serveIntake(t, in, 8)
	if got := status(t, slowBody(t, srv, "127.0.0.1")); got != http.StatusRequestTimeout {
		t.Errorf("slow body: %d, want 408", got)
	}
	admissiontest.WaitFor(t, "no body being read", func() bool { return in.Reading() == 0 })
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("more than eight bytes"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d, want 413", resp.StatusCode)
	}
	if in.Reading() != 0 || len(in.peers) != 0 {
		t.Errorf("%d bodies still counted (%v)", in.Reading(), in.peers)
	}
}
