package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the key-value bucket of executions.
const Bucket = "REBALANCER_EXECUTIONS"

// KV is the Store over a JetStream key-value bucket, key = execution ID,
// and PlanKey(execution ID) for its plan.
type KV struct {
	kv     jetstream.KeyValue
	active *active
	plans  plans
}

var _ Store = (*KV)(nil)

// OpenKV creates the bucket if needed, kept on replicas servers of a NATS
// cluster, and returns the Store, whose index of unfinished executions
// follows the bucket until ctx ends. History 5 keeps the last writes for a
// post-mortem; file storage survives restarts.
func OpenKV(ctx context.Context, js jetstream.JetStream, replicas int) (*KV, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "Node rebalancing executions, by execution ID",
		History:     5,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", Bucket, err)
	}
	s := &KV{kv: kv, active: newActive()}
	go s.active.follow(ctx, kv)
	return s, nil
}

// Create implements Store: the plan's key first, then the record that
// names it, so a stored record always finds its plan. A crash between
// the two leaves a plan no record names, which nothing reads.
func (s *KV) Create(ctx context.Context, r *Record) (*Record, error) {
	data, err := r.encode()
	if err != nil {
		return nil, err
	}
	if err := s.createPlan(ctx, r); err != nil {
		return nil, err
	}
	rev, err := s.kv.Create(ctx, r.State.GetExecutionId(), data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, ErrExists
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", r.State.GetExecutionId(), err)
	}
	out := r.Clone()
	out.Revision = rev
	return out, nil
}

// Get implements Store.
func (s *KV) Get(ctx context.Context, id string) (*Record, error) {
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	r, planKey, err := decode(e.Value())
	if err != nil {
		return nil, err
	}
	if err := s.withPlan(ctx, r, planKey); err != nil {
		return nil, err
	}
	r.Revision = e.Revision()
	return r, nil
}

// Update implements Store. It writes the record only: the plan's key was
// written once, by Create (or, for a record of an earlier version that
// embeds its plan, by its first Update, before the record stops
// embedding it).
func (s *KV) Update(ctx context.Context, r *Record) (*Record, error) {
	data, err := r.encode()
	if err != nil {
		return nil, err
	}
	if err := s.ensurePlan(ctx, r); err != nil {
		return nil, err
	}
	rev, err := s.kv.Update(ctx, r.State.GetExecutionId(), data, r.Revision)
	if isWrongRevision(err) {
		return nil, ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", r.State.GetExecutionId(), err)
	}
	out := r.Clone()
	out.Revision = rev
	return out, nil
}

// List implements Store.
func (s *KV) List(ctx context.Context) ([]*Record, error) {
	keys, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	var out []*Record
	for key := range keys.Keys() {
		if isPlanKey(key) {
			continue
		}
		r, err := s.Get(ctx, key)
		if errors.Is(err, ErrNotFound) {
			continue // deleted between the listing and the read
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Unfinished implements Store, from the index the bucket's watch keeps:
// a write is in it a moment after it is acknowledged. The plans come from
// the cache, read once each. A record whose plan cannot be read is left
// out, as the index leaves out one it cannot decode: Get reports why.
func (s *KV) Unfinished(ctx context.Context) ([]*Record, error) {
	recs, err := s.active.list()
	if err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(recs))
	for _, r := range recs {
		err := s.withPlan(ctx, r.rec, r.planKey)
		if errors.Is(err, errPlanMissing) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.rec)
	}
	return out, nil
}

// isWrongRevision reports JetStream's refusal of an update over a revision
// that is no longer the last.
func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
