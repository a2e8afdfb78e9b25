package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// LeaseBucket keeps the leases of work that is not an execution (the
// reconciler's), beside the executions bucket: the same revision-checked
// claim, in a bucket of its own so listings of executions never meet them.
const LeaseBucket = "REBALANCER_LEASES"

// Leases hands out named leases, one holder at a time.
type Leases interface {
	// Acquire takes the lease name for replica until now+ttl when it is
	// free, expired or already replica's (then it is renewed), and says
	// whether replica holds it. Losing a race to another replica is not
	// an error: false.
	Acquire(ctx context.Context, name, replica string, now time.Time, ttl time.Duration) (bool, error)
}

// KVLeases is Leases over a JetStream key-value bucket.
type KVLeases struct {
	kv jetstream.KeyValue
}

var _ Leases = (*KVLeases)(nil)

// OpenLeases creates the lease bucket if needed, on replicas servers.
func OpenLeases(ctx context.Context, js jetstream.JetStream, replicas int) (*KVLeases, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      LeaseBucket,
		Description: "Leases of the executor's background work, by name",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", LeaseBucket, err)
	}
	return &KVLeases{kv: kv}, nil
}

// Acquire implements Leases.
func (l *KVLeases) Acquire(ctx context.Context, name, replica string, now time.Time, ttl time.Duration) (bool, error) {
	next, err := json.Marshal(Lease{Owner: replica, Expires: now.Add(ttl)})
	if err != nil {
		return false, err
	}
	entry, err := l.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		_, err = l.kv.Create(ctx, name, next)
		return lostRace(err)
	}
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	var held Lease
	if err := json.Unmarshal(entry.Value(), &held); err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	if !held.ClaimableBy(replica, now) {
		return false, nil
	}
	_, err = l.kv.Update(ctx, name, next, entry.Revision())
	return lostRace(err)
}

// lostRace reads a create or update of a lease: written, held; refused
// for a key or revision another replica wrote first, not held.
func lostRace(err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyExists) || isWrongRevision(err):
		return false, nil
	}
	return false, fmt.Errorf("lease: %w", err)
}
