package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// write stores r over its head's revision headRev (0: a new record): in
// parts when the bucket takes batches and r splits, whole otherwise.
func (s *KV) write(ctx context.Context, r *Record, headRev uint64) (uint64, error) {
	id := r.State.GetExecutionId()
	if s.batch != nil {
		head, parts, ok, err := split(r)
		if err != nil {
			return 0, err
		}
		if ok {
			rev, err := s.writeParts(ctx, id, head, headRev, s.written.changed(id, headRev, parts))
			s.written.forget(id)
			if err == nil && !Settled(r) {
				s.written.set(id, rev, parts)
			}
			return rev, err
		}
	}
	data, err := r.encode()
	if err != nil {
		return 0, err
	}
	return s.put(ctx, id, data, headRev)
}

// writeParts writes head and the changed parts in one batch; the head
// alone, when no part changed, as a plain revision-checked write.
func (s *KV) writeParts(ctx context.Context, id string, head []byte, headRev uint64, changed map[string][]byte) (uint64, error) {
	if len(changed) == 0 {
		return s.put(ctx, id, head, headRev)
	}
	return s.batch.write(ctx, id, head, headRev, changed)
}

// put writes one value at key over rev (0: the key must not exist).
func (s *KV) put(ctx context.Context, key string, data []byte, rev uint64) (uint64, error) {
	if rev == 0 {
		return s.kv.Create(ctx, key, data)
	}
	return s.kv.Update(ctx, key, data, rev)
}

// errPartsMoved: a part of the record was written after the head read.
var errPartsMoved = errors.New("record written while read")

// readParts reads every part of execution id, as of its head's revision
// headRev: errPartsMoved when one was written since. Each batch writes the
// head last, so a part older than the head is the one the head was written
// with, and a part written later comes with a later head.
func (s *KV) readParts(ctx context.Context, id string, headRev uint64) (map[string][]byte, error) {
	parts := map[string][]byte{}
	err := s.lastValues(ctx, []string{NodePartKey(id, ">")}, func(e jetstream.KeyValueEntry) error {
		if e.Revision() > headRev {
			return errPartsMoved
		}
		if _, name, ok := splitPartKey(e.Key()); ok {
			parts[name] = e.Value()
		}
		return nil
	})
	switch {
	case errors.Is(err, errPartsMoved):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("read parts of %s: %w", id, err)
	}
	return parts, nil
}

// lastValues hands each key's last value under filters to each, until
// every one is in or each fails.
func (s *KV) lastValues(ctx context.Context, filters []string, each func(jetstream.KeyValueEntry) error) error {
	w, err := s.kv.WatchFiltered(ctx, filters, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, open := <-w.Updates():
			switch {
			case !open:
				return errors.New("the watch of the bucket ended")
			case e == nil: // every key's last value is in
				return nil
			}
			if err := each(e); err != nil {
				return err
			}
		}
	}
}

// baselines remembers, per execution, the parts stored at the revision
// this process last wrote or read: the next write over that revision
// carries only the parts that differ. Bounded like plans: past
// maxBaselines it starts over, and a write not knowing its baseline
// carries every part.
type baselines struct {
	mu sync.Mutex
	m  map[string]baseline
}

type baseline struct {
	rev   uint64
	parts map[string][]byte
}

const maxBaselines = 256

// changed returns the parts that differ from those stored at rev, a part
// stored there and now gone as nil (written as a delete): all of them when
// rev is not the revision remembered.
func (b *baselines) changed(id string, rev uint64, parts map[string][]byte) map[string][]byte {
	b.mu.Lock()
	known, ok := b.m[id]
	b.mu.Unlock()
	if !ok || known.rev != rev || rev == 0 {
		return parts
	}
	out := map[string][]byte{}
	for name, data := range parts {
		if !bytes.Equal(known.parts[name], data) {
			out[name] = data
		}
	}
	for name := range known.parts {
		if _, kept := parts[name]; !kept {
			out[name] = nil
		}
	}
	return out
}

func (b *baselines) set(id string, rev uint64, parts map[string][]byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil || len(b.m) >= maxBaselines {
		b.m = map[string]baseline{}
	}
	b.m[id] = baseline{rev: rev, parts: parts}
}

func (b *baselines) forget(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, id)
}
