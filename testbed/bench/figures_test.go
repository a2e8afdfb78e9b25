package bench

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func event(node string, batch int32, kind rebalancerv1.EventKind, at time.Duration, lane string) *rebalancerv1.ExecutionEvent {
	ev := &rebalancerv1.ExecutionEvent{NodeName: node, BatchNumber: batch, Kind: kind,
		Time: timestamppb.New(time.Unix(0, 0).Add(at))}
	if lane != "" {
		ev.Details = map[string]string{"lane": lane}
	}
	return ev
}

// node is a node's events: boot+join b, drain d, terminate x seconds,
// starting at s.
func node(name string, batch int32, s, b, d, x int, lane string) []*rebalancerv1.ExecutionEvent {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	return []*rebalancerv1.ExecutionEvent{
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, sec(s), lane),
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_READY, sec(s+b), lane),
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, sec(s+b+1), lane),
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, sec(s+b+1+d), lane),
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING, sec(s+b+1+d), lane),
		event(name, batch, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED, sec(s+b+1+d+x), lane),
	}
}

// Under lock-step batches, the i-th node of each batch is lane i; the
// bound is the longest lane's sum of boot+join, drain and terminate,
// whatever the waits between them.
func TestTheBoundIsTheLongestLaneOfUnavoidableWork(t *testing.T) {
	var events []*rebalancerv1.ExecutionEvent
	events = append(events, node("a", 1, 0, 20, 5, 1, "")...)  // lane 0: 26
	events = append(events, node("b", 1, 1, 20, 9, 1, "")...)  // lane 1: 30
	events = append(events, node("c", 2, 40, 20, 5, 1, "")...) // lane 0: 26
	events = append(events, node("d", 2, 41, 20, 2, 1, "")...) // lane 1: 23
	require.Equal(t, 53*time.Second, bound(spans(events), 2))
}

// Lanes the events name are taken as they are.
func TestTheBoundFollowsTheLanesTheEventsName(t *testing.T) {
	var events []*rebalancerv1.ExecutionEvent
	events = append(events, node("a", 1, 0, 10, 0, 0, "0")...)
	events = append(events, node("b", 1, 1, 10, 0, 0, "0")...)
	events = append(events, node("c", 1, 2, 10, 0, 0, "1")...)
	require.Equal(t, 20*time.Second, bound(spans(events), 2))
}

func TestRequestKeysNameVerbAndResource(t *testing.T) {
	for path, want := range map[string]string{
		"GET /api/v1/nodes/n1":                                                     "get nodes",
		"GET /api/v1/nodes?labelSelector=x":                                        "list nodes",
		"GET /api/v1/nodes?watch=true":                                             "watch nodes",
		"PATCH /api/v1/nodes/n1":                                                   "patch nodes",
		"POST /api/v1/namespaces/ns/pods/p1/eviction":                              "create pods/eviction",
		"GET /api/v1/namespaces/ns/pods?fieldSelector=spec.nodeName":               "list pods",
		"GET /apis/apps/v1/namespaces/ns/deployments/web":                          "get deployments",
		"PUT /apis/autoscaler.vpsie.io/v1alpha1/namespaces/ns/nodegroups/g/status": "put nodegroups/status",
	} {
		method, target, _ := strings.Cut(path, " ")
		require.Equal(t, want, requestKey(httptest.NewRequest(method, target, nil)), path)
	}
}

func TestRequestsSinceSetsEvictionsApart(t *testing.T) {
	before := map[string]int{"get nodes": 3}
	after := map[string]int{"get nodes": 5, "create pods/eviction": 7, "patch nodes": 2}
	reqs, evictions, kinds := requestsSince(before, after)
	require.Equal(t, 4, reqs)
	require.Equal(t, 7, evictions)
	require.Equal(t, map[string]int{"get nodes": 2, "patch nodes": 2}, kinds)
}

// The lane model is the nodes of the longest lane times a node's mean
// time from provisioning to terminated.
func TestTheLaneModelIsNodesPerLaneTimesTheMeanNode(t *testing.T) {
	var events []*rebalancerv1.ExecutionEvent
	events = append(events, node("a", 1, 0, 20, 5, 1, "0")...) // 27 s from provisioning to terminated
	events = append(events, node("b", 1, 0, 20, 9, 1, "1")...) // 31 s
	events = append(events, node("c", 2, 27, 20, 5, 1, "0")...)
	f := Figures{Nodes: 3, Concurrency: 2, Wall: time.Minute, Steps: meanSteps(spans(events))}
	require.Equal(t, 2*(27+31+27)*time.Second/3, f.LaneModel())
}
