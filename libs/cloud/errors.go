package cloud

import (
	"errors"
	"fmt"
	"time"
)

// The kinds of failure a Provider reports. Each *Error wraps exactly one.
var (
	// ErrNotFound: the VM, offering or datacenter does not exist.
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the cloud refused the call to slow us down (HTTP 429).
	ErrRateLimited = errors.New("rate limited")
	// ErrQuotaExceeded: the account may not hold another VM of this size.
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrOfferingUnavailable: the offering exists but cannot be ordered in
	// that datacenter now.
	ErrOfferingUnavailable = errors.New("offering unavailable")
	// ErrUnauthorized: the token is missing, wrong or lacks permission.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrTransient: a failure that may pass (5xx, timeout, garbled answer).
	ErrTransient = errors.New("transient failure")
	// ErrInvalid: the request itself is wrong; retrying it will not help.
	ErrInvalid = errors.New("invalid request")
)

// Error is a failure reported by, or about, the cloud.
type Error struct {
	// Kind is one of the Err… sentinels; errors.Is matches it.
	Kind error
	// Op is the Provider method that failed, for example "CreateVM".
	Op string
	// Message says what happened; it never holds credentials.
	Message string
	// Code is the HTTP status or the cloud's error code, 0 when none.
	Code int
	// RetryAfter is how long the cloud asked us to wait, 0 when it did not say.
	RetryAfter time.Duration
}

// NewError returns an *Error of kind for op with a formatted message.
func NewError(kind error, op, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	s := "cloud"
	if e.Op != "" {
		s += ": " + e.Op
	}
	s += ": " + e.Kind.Error()
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	return s
}

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

// IsNotFound reports whether err means the thing does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsRateLimited reports whether the cloud asked us to slow down.
func IsRateLimited(err error) bool { return errors.Is(err, ErrRateLimited) }

// IsQuotaExceeded reports whether the account's quota refused the VM.
func IsQuotaExceeded(err error) bool { return errors.Is(err, ErrQuotaExceeded) }

// IsOfferingUnavailable reports whether the offering cannot be ordered there now.
func IsOfferingUnavailable(err error) bool { return errors.Is(err, ErrOfferingUnavailable) }

// IsUnauthorized reports whether the credentials were refused.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsTransient reports whether err is a failure that may pass on its own.
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }

// IsInvalid reports whether the request itself was wrong.
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalid) }

// IsRetryable reports whether trying the same call later may succeed.
func IsRetryable(err error) bool { return IsRateLimited(err) || IsTransient(err) }

// RetryAfter returns the wait the cloud asked for, if err carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}
