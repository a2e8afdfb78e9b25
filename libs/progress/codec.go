package progress

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Encode renders an event as the message body: its protobuf encoding.
func Encode(ev *rebalancerv1.ExecutionEvent) ([]byte, error) {
	b, err := proto.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}

// Decode reads a message body written by Encode.
func Decode(data []byte) (*rebalancerv1.ExecutionEvent, error) {
	ev := &rebalancerv1.ExecutionEvent{}
	if err := proto.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return ev, nil
}

// Final reports whether ev is the last event of its execution: nothing is
// published after it, so a watcher may stop.
func Final(ev *rebalancerv1.ExecutionEvent) bool {
	switch ev.GetKind() {
	case rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED:
		return true
	}
	return false
}
