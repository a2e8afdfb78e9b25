package engine

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// ErrBadPageToken: the page token was not one this service handed out.
var ErrBadPageToken = errors.New("malformed page token")

const defaultPageSize = 100

// Query filters and pages ListExecutions.
type Query struct {
	Namespace, NodeGroup string
	Statuses             []rebalancerv1.ExecutionStatus
	PageSize             int
	PageToken            string
}

// List returns one page of executions, newest accepted first, and the
// token of the next page ("" on the last). The token is the position of
// the last one returned (acceptance time and ID), so executions accepted
// meanwhile neither repeat nor shift the pages.
func (e *Executor) List(ctx context.Context, q Query) ([]*rebalancerv1.ExecutionState, string, error) {
	after, err := decodeToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	recs, err := e.deps.Store.List(ctx)
	if err != nil {
		return nil, "", err
	}
	recs = slices.DeleteFunc(recs, func(r *store.Record) bool { return !q.matches(r.State) })
	slices.SortFunc(recs, newestFirst)
	if after != nil {
		recs = slices.DeleteFunc(recs, func(r *store.Record) bool { return newestFirst(r, after) <= 0 })
	}
	size := cmp.Or(q.PageSize, defaultPageSize)
	var next string
	if len(recs) > size {
		recs = recs[:size]
		next = encodeToken(recs[size-1])
	}
	out := make([]*rebalancerv1.ExecutionState, len(recs))
	for i, r := range recs {
		out[i] = r.State
	}
	return out, next, nil
}

func (q Query) matches(s *rebalancerv1.ExecutionState) bool {
	return (q.Namespace == "" || s.GetNamespace() == q.Namespace) &&
		(q.NodeGroup == "" || s.GetNodeGroup() == q.NodeGroup) &&
		(len(q.Statuses) == 0 || slices.Contains(q.Statuses, s.GetStatus()))
}

func newestFirst(a, b *store.Record) int {
	return cmp.Or(b.AcceptedAt.Compare(a.AcceptedAt), cmp.Compare(a.State.GetExecutionId(), b.State.GetExecutionId()))
}

func encodeToken(r *store.Record) string {
	raw := strconv.FormatInt(r.AcceptedAt.UnixNano(), 10) + "/" + r.State.GetExecutionId()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeToken(token string) (*store.Record, error) {
	if token == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPageToken, err)
	}
	nanos, id, ok := strings.Cut(string(raw), "/")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, ErrBadPageToken
	}
	return &store.Record{AcceptedAt: time.Unix(0, n).UTC(), State: &rebalancerv1.ExecutionState{ExecutionId: id}}, nil
}
