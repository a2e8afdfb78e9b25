package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// listFilters select the records' heads (a key of one token: an
// execution's ID is "exec-" and its plan's hash) and their parts, not the
// plans ("plan.<id>": read from the cache or their key, as Get does), which
// are most of the bucket's bytes. A new slice each time: WatchFiltered
// writes the subjects over the keys it is given.
func listFilters() []string { return []string{"*", "*" + nodePartInfix + ">"} }

// List implements Store with one watch of the bucket, which delivers the
// last value of every head and part, rather than a read (and, for a record
// in parts, a watch) per execution. A head whose parts moved on while the
// watch ran is read again with Get.
func (s *KV) List(ctx context.Context) ([]*Record, error) {
	heads, parts, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	out := make([]*Record, 0, len(heads))
	for id, head := range heads {
		r, err := s.fromSnapshot(ctx, head, parts[id])
		if errors.Is(err, errPartsMoved) {
			r, err = s.Get(ctx, id)
		}
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// snapshot is the last value of every head, and of every part by
// execution and node, with their revisions.
func (s *KV) snapshot(ctx context.Context) (map[string]jetstream.KeyValueEntry, map[string]map[string]jetstream.KeyValueEntry, error) {
	heads := map[string]jetstream.KeyValueEntry{}
	parts := map[string]map[string]jetstream.KeyValueEntry{}
	err := s.lastValues(ctx, listFilters(), func(e jetstream.KeyValueEntry) error {
		id, node, ok := splitPartKey(e.Key())
		if !ok {
			heads[e.Key()] = e
			return nil
		}
		if parts[id] == nil {
			parts[id] = map[string]jetstream.KeyValueEntry{}
		}
		parts[id][node] = e
		return nil
	})
	return heads, parts, err
}

// fromSnapshot is the record of head and its parts as watched:
// errPartsMoved when a part is newer than the head.
func (s *KV) fromSnapshot(ctx context.Context, head jetstream.KeyValueEntry, parts map[string]jetstream.KeyValueEntry) (*Record, error) {
	d, err := decode(head.Value())
	if err != nil {
		return nil, err
	}
	if d.parts != nil {
		values := make(map[string][]byte, len(parts))
		for node, e := range parts {
			if e.Revision() > head.Revision() {
				return nil, errPartsMoved
			}
			values[node] = e.Value()
		}
		if err := join(d.rec, d.parts, values); err != nil {
			return nil, err
		}
	}
	if err := s.withPlan(ctx, d.rec, d.planKey); err != nil {
		return nil, err
	}
	d.rec.Revision = head.Revision()
	return d.rec, nil
}
