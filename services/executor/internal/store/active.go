package store

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Final reports whether an execution in status s will not change again.
func Final(s rebalancerv1.ExecutionStatus) bool {
	switch s {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
		rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK:
		return true
	}
	return false
}

// active is the bucket's unfinished executions, kept current by a watch
// of the bucket: every replica scans them every few seconds, and reading
// each key of a bucket that keeps every execution ever run would cost a
// round trip per execution per scan, growing without end. Finished ones
// leave the index, so its size is the work in flight.
type active struct {
	mu   sync.Mutex
	recs map[string]indexed
	// parts holds the stored parts of unfinished records (parts.go), by
	// execution and node: a head joins those read before it.
	parts   map[string]map[string][]byte
	synced  bool  // the watch delivered the bucket's state once
	lastErr error // why the watch last ended, or the last undecodable record
}

func newActive() *active {
	return &active{recs: map[string]indexed{}, parts: map[string]map[string][]byte{}}
}

// indexed is a record as read from the watch, without its plan, and the
// key of its plan ("" when the record embeds it); for a record stored in
// parts, its head and the parts stored with it, joined when listed.
type indexed struct {
	rec     *Record
	planKey string
	layout  *nodeParts
	parts   map[string][]byte
}

// follow keeps the index current until ctx ends, watching again after
// the watch fails (NATS unreachable at start, say).
func (a *active) follow(ctx context.Context, kv jetstream.KeyValue) {
	for ctx.Err() == nil {
		err := a.watch(ctx, kv)
		a.setErr(err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// watch applies the bucket's current values, then every change, to the
// index, until the watch ends.
func (a *active) watch(ctx context.Context, kv jetstream.KeyValue) error {
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for entry := range w.Updates() {
		if entry == nil { // the bucket's state so far is in
			a.setSynced()
			continue
		}
		// An undecodable record cannot be scheduled; Get reports the same
		// error to whoever reads it.
		a.setErr(a.apply(entry))
	}
	return errors.New("watch of the executions bucket ended")
}

func (a *active) setSynced() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.synced = true
}

func (a *active) setErr(err error) {
	if err == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastErr = err
}

func (a *active) apply(entry jetstream.KeyValueEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if isPlanKey(entry.Key()) {
		return nil
	}
	if id, node, ok := splitPartKey(entry.Key()); ok {
		a.applyPart(id, node, entry)
		return nil
	}
	if entry.Operation() != jetstream.KeyValuePut {
		a.forget(entry.Key())
		return nil
	}
	d, err := decode(entry.Value())
	if err != nil {
		a.forget(entry.Key())
		return err
	}
	d.rec.Revision = entry.Revision()
	if Settled(d.rec) { // a final record whose end's tail is pending stays: a scan finishes it
		a.forget(entry.Key())
		return nil
	}
	if cur, ok := a.recs[entry.Key()]; !ok || cur.rec.Revision < d.rec.Revision {
		a.recs[entry.Key()] = indexed{rec: d.rec, planKey: d.planKey, layout: d.parts, parts: maps.Clone(a.parts[entry.Key()])}
	}
	return nil
}

// applyPart keeps a part until its head comes: a batch stores the head
// after its parts, so a head joins the parts written with it.
func (a *active) applyPart(id, node string, entry jetstream.KeyValueEntry) {
	if entry.Operation() != jetstream.KeyValuePut {
		delete(a.parts[id], node)
		return
	}
	if a.parts[id] == nil {
		a.parts[id] = map[string][]byte{}
	}
	a.parts[id][node] = entry.Value()
}

// forget drops an execution that left the index, its parts too.
func (a *active) forget(id string) {
	delete(a.recs, id)
	delete(a.parts, id)
}

// errNotSynced: the index does not hold the bucket's state yet.
var errNotSynced = errors.New("executions index not loaded yet")

// list returns copies of the unfinished executions (without their plans
// when stored apart); before the index holds the bucket's state it fails
// at once (the caller asks again later) instead of blocking its caller on
// an unreachable NATS.
func (a *active) list() ([]indexed, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.synced {
		return nil, errors.Join(errNotSynced, a.lastErr)
	}
	out := make([]indexed, 0, len(a.recs))
	for _, r := range a.recs {
		rec := r.rec.Clone()
		if r.layout != nil {
			if err := join(rec, r.layout, r.parts); err != nil {
				continue // Get reports the same error to whoever reads it
			}
		}
		out = append(out, indexed{rec: rec, planKey: r.planKey})
	}
	return out, nil
}
