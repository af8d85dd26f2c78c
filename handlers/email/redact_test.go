package email

import "testing"

// A server's refusal quotes the address; what goes to the log does not.
func TestWithoutAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550 5.1.1 <marie.tremblay@ontario.ca>: Recipient address rejected", "550 5.1.1 <[address]>: Recipient address rejected"},
		{`RCPT TO:"jean@x.qc.ca" refused; also bo@y.ca`, `RCPT TO:"[address]" refused; also [address]`},
		{"connection reset after DATA", "connection reset after DATA"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := withoutAddresses(tt.in); got != tt.want {
			t.Errorf("withoutAddresses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
