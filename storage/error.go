package storage

import (
	"errors"
	"fmt"
)

// Error codes. They say what kind of failure happened; Key says which one.
const (
	ECONFLICT  = "conflict"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	EFORBIDDEN = "forbidden"
	// EBUSY: the work was refused before it began because the database was
	// busy (nothing was written); trying again later may succeed.
	EBUSY = "busy"
	// EUNAVAILABLE: the database cannot take writes at all (it failed its
	// start-up check, see CheckInBackground); nothing was written, and
	// trying again will not help until an operator acts.
	EUNAVAILABLE = "unavailable"
)

// ErrNotFound is the sentinel for a missing row; errors.Is matches any *Error
// whose Code is ENOTFOUND.
var ErrNotFound = &Error{Code: ENOTFOUND, Key: "error_not_found"}

// Error is a failure that is safe to show to a user. Key is an i18n message
// id (see handlers/locales) and Args its template data; the edge translates it
// once, in the user's language. Message is an English description for logs.
type Error struct {
	Code    string
	Key     string
	Args    map[string]any
	Message string
}

// Error implements error with the log-facing English text.
func (e *Error) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// Is lets errors.Is(err, ErrNotFound) match every not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Key == "error_not_found" && e.Code == ENOTFOUND
}

// Errorf builds a user-safe error. key is an i18n message id.
func Errorf(code, key string, args map[string]any, format string, a ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: fmt.Sprintf(format, a...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// withArg returns err with Args[key] = value when err is an *Error (a
// copy: the original may be shared), else err unchanged.
func withArg(err error, key string, value any) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	args := map[string]any{key: value}
	for k, v := range e.Args {
		if k != key {
			args[k] = v
		}
	}
	return &Error{Code: e.Code, Key: e.Key, Args: args, Message: e.Message}
}
