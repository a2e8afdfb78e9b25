// Package rpcerr turns the errors of gRPC calls into what an operator reads:
// one line saying which service refused what and why, then one line per
// field or precondition the service named in its error details.
package rpcerr

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failed call to one of the three services. Commands wrap every
// RPC error in it so the message can say which service at which address.
type Error struct {
	Service string // "analyzer", "planner" or "executor"
	Addr    string // the address dialled
	Err     error  // as returned by the generated client
}

// Wrap records which service err came from; nil stays nil.
func Wrap(service, addr string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Service: service, Addr: addr, Err: err}
}

func (e *Error) Error() string { return Headline(e) }

func (e *Error) Unwrap() error { return e.Err }

// Lines renders err for the terminal: a headline, then one line per
// violation in the status details, each "field: description".
func Lines(err error) []string {
	var rpc *Error
	if !errors.As(err, &rpc) {
		return []string{err.Error()}
	}
	return append([]string{Headline(rpc)}, detailLines(status.Convert(rpc.Err))...)
}

// Headline is the one-line summary of a failed call.
func Headline(e *Error) string {
	st := status.Convert(e.Err)
	who := fmt.Sprintf("%s (%s)", e.Service, e.Addr)
	msg := st.Message()
	if hasViolations(st) {
		// The message repeats every violation; the detail lines say it better.
		msg = "see below"
	}
	if text, ok := codeText[st.Code()]; ok {
		return fmt.Sprintf(text, who, msg)
	}
	return fmt.Sprintf("%s failed with %s: %s", who, st.Code(), msg)
}

// codeText words each code as the situation an operator is in. Each format
// takes the service ("planner (127.0.0.1:9091)") and the status message.
var codeText = map[codes.Code]string{
	// The request itself is wrong: fix the flags or the input file.
	codes.InvalidArgument: "%s rejected the request as invalid: %s",
	// An execution ID or group that does not exist.
	codes.NotFound: "%s found nothing: %s",
	// Valid, but the state of the group or execution forbids it now.
	codes.FailedPrecondition: "%s refused in the current state: %s",
	// A concurrent change won; running the command again may succeed.
	codes.Aborted:       "%s aborted on a conflicting change (retry): %s",
	codes.AlreadyExists: "%s says it already exists: %s",
	// Nothing listens at the address, or the service is starting.
	codes.Unavailable:      "%s is unavailable (check the address and that it runs): %s",
	codes.DeadlineExceeded: "%s did not answer in time (raise --timeout): %s",
	codes.Canceled:         "%s call cancelled: %s",
	// A service version without this RPC yet.
	codes.Unimplemented:     "%s does not support this call yet: %s",
	codes.Unauthenticated:   "%s needs credentials: %s",
	codes.PermissionDenied:  "%s denied permission: %s",
	codes.ResourceExhausted: "%s is out of a resource or rate limit: %s",
	codes.Internal:          "%s failed internally: %s",
}
