package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// The headers of JetStream's atomic batch publish (nats-server 2.12 and
// later). nats.go has no client for it yet, so the batch is published by
// hand: each message names the batch and its place in it, the last one
// commits, and the stream stores all of them or none.
const (
	batchIDHeader     = "Nats-Batch-Id"
	batchSeqHeader    = "Nats-Batch-Sequence"
	batchCommitHeader = "Nats-Batch-Commit"
	// kvOperationHeader marks a bucket's delete, as the bucket's own
	// Delete writes it.
	kvOperationHeader = "KV-Operation"
)

// batchWriter writes a record's head and its changed parts as one atomic
// batch into the bucket's stream.
type batchWriter struct {
	nc *nats.Conn
	// subjects is the prefix of the bucket's subjects, "$KV.<bucket>.".
	subjects string
}

// write stores parts (by node name; nil deletes one) of execution id, then its head over
// headRev (0: the head must not exist yet), all or nothing, and returns
// the head's new revision. A head written since headRev fails the whole
// batch with JetStream's wrong-last-sequence error (isWrongRevision).
func (w batchWriter) write(ctx context.Context, id string, head []byte, headRev uint64, parts map[string][]byte) (uint64, error) {
	batch := nuid.Next()
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		m := w.message(NodePartKey(id, name), parts[name], batch, i+1)
		if parts[name] == nil {
			m.Header.Set(kvOperationHeader, "DEL")
		}
		if err := w.nc.PublishMsg(m); err != nil {
			return 0, fmt.Errorf("write %s: part %s: %w", id, name, err)
		}
	}
	m := w.message(id, head, batch, len(names)+1)
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(headRev, 10))
	m.Header.Set(batchCommitHeader, "1")
	reply, err := w.nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", id, err)
	}
	return batchAckOf(reply.Data)
}

func (w batchWriter) message(key string, data []byte, batch string, seq int) *nats.Msg {
	m := nats.NewMsg(w.subjects + key)
	m.Data = data
	m.Header.Set(batchIDHeader, batch)
	m.Header.Set(batchSeqHeader, strconv.Itoa(seq))
	return m
}

// batchAck is the stream's answer to a batch's commit.
type batchAck struct {
	Error    *jetstream.APIError `json:"error,omitempty"`
	Sequence uint64              `json:"seq"`
}

// batchAckOf is the head's revision the stream acknowledged, or the
// stream's refusal as a *jetstream.APIError.
func batchAckOf(data []byte) (uint64, error) {
	var ack batchAck
	if err := json.Unmarshal(data, &ack); err != nil {
		return 0, fmt.Errorf("batch acknowledgement: %w", err)
	}
	if ack.Error != nil {
		return 0, ack.Error
	}
	if ack.Sequence == 0 {
		return 0, errors.New("batch acknowledgement without a sequence")
	}
	return ack.Sequence, nil
}

// enableBatches lets the bucket's stream take atomic batches, and says
// whether it does: a nats-server before 2.12 refuses, and records are then
// written whole, as before.
func enableBatches(ctx context.Context, js jetstream.JetStream) bool {
	stream, err := js.Stream(ctx, "KV_"+Bucket)
	if err != nil {
		return false
	}
	cfg := stream.CachedInfo().Config
	if cfg.AllowAtomicPublish {
		return true
	}
	cfg.AllowAtomicPublish = true
	updated, err := js.UpdateStream(ctx, cfg)
	return err == nil && updated.CachedInfo().Config.AllowAtomicPublish
}
