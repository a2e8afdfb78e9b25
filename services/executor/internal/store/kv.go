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
	// batch is set when the bucket's stream takes atomic batches: records
	// are then stored in parts (parts.go), and written tells which parts
	// changed since the revision a writer read.
	batch   *batchWriter
	written baselines
}

var _ Store = (*KV)(nil)

// OpenKV creates the bucket if needed, kept on replicas servers of a NATS
// cluster, and returns the Store, whose index of unfinished executions
// follows the bucket until ctx ends. History 5 keeps the last writes for a
// post-mortem; file storage survives restarts.
func OpenKV(ctx context.Context, js jetstream.JetStream, replicas int) (*KV, error) {
	kv, err := openBucket(ctx, js, replicas)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", Bucket, err)
	}
	s := &KV{kv: kv, active: newActive()}
	if enableBatches(ctx, js) {
		s.batch = &batchWriter{nc: js.Conn(), subjects: "$KV." + Bucket + "."}
	}
	go s.active.follow(ctx, kv)
	return s, nil
}

// openBucket opens the bucket as it is when it exists on as many servers
// as asked; otherwise it creates the bucket or updates its configuration.
// An update also turns atomic batches off (the bucket's configuration does
// not know them) under replicas writing with them, until enableBatches
// turns them on again, so it is done only when something changed.
func openBucket(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.KeyValue, error) {
	if kv, err := js.KeyValue(ctx, Bucket); err == nil {
		if st, err := js.Stream(ctx, "KV_"+Bucket); err == nil && st.CachedInfo().Config.Replicas == max(replicas, 1) {
			return kv, nil
		}
	}
	return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "Node rebalancing executions, by execution ID",
		History:     5,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
}

// Create implements Store: the plan's key first, then the record that
// names it, so a stored record always finds its plan. A crash between
// the two leaves a plan no record names, which nothing reads.
func (s *KV) Create(ctx context.Context, r *Record) (*Record, error) {
	if err := s.createPlan(ctx, r); err != nil {
		return nil, err
	}
	rev, err := s.write(ctx, r, 0)
	if errors.Is(err, jetstream.ErrKeyExists) || isWrongRevision(err) {
		return nil, ErrExists
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", r.State.GetExecutionId(), err)
	}
	out := r.Clone()
	out.Revision = rev
	return out, nil
}

// Get implements Store. A record stored in parts is read as of its
// head's revision: a part written after it (a write landing between the
// two reads) makes it read again.
func (s *KV) Get(ctx context.Context, id string) (*Record, error) {
	for attempt := 1; ; attempt++ {
		r, err := s.get(ctx, id)
		if !errors.Is(err, errPartsMoved) || attempt == maxReads {
			return r, err
		}
	}
}

// maxReads bounds Get's reads of a record written under it all along.
const maxReads = 5

func (s *KV) get(ctx context.Context, id string) (*Record, error) {
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	d, err := decode(e.Value())
	if err != nil {
		return nil, err
	}
	if d.parts != nil {
		parts, err := s.readParts(ctx, id, e.Revision())
		if err != nil {
			return nil, err
		}
		if err := join(d.rec, d.parts, parts); err != nil {
			return nil, err
		}
		s.written.set(id, e.Revision(), parts)
	}
	if err := s.withPlan(ctx, d.rec, d.planKey); err != nil {
		return nil, err
	}
	d.rec.Revision = e.Revision()
	return d.rec, nil
}

// Update implements Store. It writes the record only: the plan's key was
// written once, by Create (or, for a record of an earlier version that
// embeds its plan, by its first Update, before the record stops
// embedding it). Of a record stored in parts, it writes the head and the
// parts that changed since r.Revision, when this process wrote or read
// that revision; every part otherwise.
func (s *KV) Update(ctx context.Context, r *Record) (*Record, error) {
	if err := s.ensurePlan(ctx, r); err != nil {
		return nil, err
	}
	rev, err := s.write(ctx, r, r.Revision)
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
