package store

import "time"

// Lease is a replica's right to act on an execution until Expires. Only
// the holder takes side effects; anyone may claim an expired lease, by a
// revision-checked write of the record, so two claimants never both win.
type Lease struct {
	Owner   string    `json:"owner,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

// HeldBy reports whether replica holds the lease at now.
func (l Lease) HeldBy(replica string, now time.Time) bool {
	return l.Owner == replica && now.Before(l.Expires)
}

// ClaimableBy reports whether replica may claim the lease at now: nobody
// holds it, it expired, or it is replica's own (a restarted replica takes
// its executions back at once instead of waiting out its old lease).
func (l Lease) ClaimableBy(replica string, now time.Time) bool {
	return l.Owner == "" || l.Owner == replica || !now.Before(l.Expires)
}

// Control is what an operator asked of a running execution.
type Control struct {
	// Pause: stop at the next step boundary, status PAUSED.
	Pause bool `json:"pause,omitempty"`
	// Cancel: stop at the next step boundary, roll back, status CANCELLED.
	Cancel bool   `json:"cancel,omitempty"`
	Reason string `json:"reason,omitempty"`
}
