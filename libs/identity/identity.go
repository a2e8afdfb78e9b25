// Package identity carries the authenticated caller of a gRPC call in its
// context. The server's authentication interceptor puts it there (from a
// Kubernetes TokenReview or a verified client certificate); handlers read
// it to record who requested or approved something, never trusting a name
// sent in a request body.
package identity

import (
	"context"
	"fmt"
	"strings"
)

// How a caller was identified.
const (
	// SourceToken: a bearer token the Kubernetes TokenReview API accepted.
	SourceToken = "token"
	// SourceCertificate: a client certificate verified against the
	// server's client CA; CN is the user, O the groups.
	SourceCertificate = "certificate"
	// SourceAnonymous: the server runs with --auth=none (loopback only).
	SourceAnonymous = "anonymous"
)

// Anonymous is the caller of a server running with --auth=none, named as
// Kubernetes names unauthenticated requests.
var Anonymous = Identity{User: "system:anonymous", Groups: []string{"system:unauthenticated"}, Source: SourceAnonymous}

// Identity is an authenticated caller, in Kubernetes' terms.
type Identity struct {
	// User is the user name, e.g. "system:serviceaccount:ops:optimizer"
	// or "jane@example.com".
	User string
	// UID is the user's UID when the authenticator gives one.
	UID string
	// Groups the user belongs to.
	Groups []string
	// Extra is the authenticator's additional information, passed on to
	// SubjectAccessReviews.
	Extra map[string][]string
	// Source says how the caller was identified: SourceToken,
	// SourceCertificate or SourceAnonymous.
	Source string
}

// String names the caller in messages: the user, and how it was identified.
func (i Identity) String() string {
	return fmt.Sprintf("%q (%s)", i.User, i.Source)
}

// Key identifies the caller for per-caller limits.
func (i Identity) Key() string {
	return i.Source + "\x00" + i.User + "\x00" + strings.Join(i.Groups, ",")
}

type key struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// FromContext returns the caller the server authenticated; false when ctx
// went through no authentication (a call outside the server).
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(key{}).(Identity)
	return id, ok
}
