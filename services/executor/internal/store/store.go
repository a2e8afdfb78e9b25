package store

import (
	"context"
	"errors"
)

// Errors a Store reports; test with errors.Is.
var (
	// ErrNotFound: no execution with that ID.
	ErrNotFound = errors.New("execution not found")
	// ErrExists: Create found the execution already stored.
	ErrExists = errors.New("execution exists")
	// ErrConflict: someone wrote the execution since it was read; read it
	// again and decide anew.
	ErrConflict = errors.New("execution changed since read")
)

// Store keeps executions. Writes are revision-checked: Update succeeds only
// over the revision the record was read at. That check is also what makes
// the lease in each record (Record.Lease: which replica may act on the
// execution, until when) safe without a second source of truth: two
// replicas claiming an expired lease write over the same revision and one
// gets ErrConflict, and an owner whose lease was claimed fails its next
// write.
type Store interface {
	// Create stores a new execution, its plan included, and returns it
	// with its revision. Errors: ErrExists.
	Create(ctx context.Context, r *Record) (*Record, error)
	// Get returns an execution. Errors: ErrNotFound.
	Get(ctx context.Context, id string) (*Record, error)
	// Update writes r over r.Revision and returns it with the new one.
	// It need not write r.Plan: a plan is stored once, by Create.
	// Errors: ErrConflict, ErrNotFound.
	Update(ctx context.Context, r *Record) (*Record, error)
	// List returns every execution, in no particular order.
	List(ctx context.Context) ([]*Record, error)
	// Unfinished returns the executions not settled (see Settled: not in
	// a final status, or final with the tail of their end pending), in no
	// particular order, cheaply enough to be called every few seconds. It
	// may lag the last writes by a moment; act on a record only through
	// a revision-checked Update.
	Unfinished(ctx context.Context) ([]*Record, error)
}
