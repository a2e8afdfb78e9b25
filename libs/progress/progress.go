// Package progress is the contract of the Executor's progress events on NATS
// JetStream: the stream, the subject of each execution, the message ID that
// makes a retried publish harmless, and the event encoding. The Executor
// publishes with it; the CLI, dashboards and the rollback handler subscribe
// with it, so both sides agree by construction.
package progress

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

const (
	// StreamName is the JetStream stream holding every execution's events.
	StreamName = "REBALANCER_EVENTS"
	// SubjectPrefix starts every event subject:
	// rebalancer.events.<namespace>.<group>.<execution_id>.<kind>.
	SubjectPrefix = "rebalancer.events"
	// DuplicateWindow is how long JetStream remembers message IDs: a publish
	// retried within it is stored once.
	DuplicateWindow = 10 * time.Minute
	// MaxAge keeps events long enough for a post-mortem of last week's runs.
	MaxAge = 14 * 24 * time.Hour
)

// Subject is where an event is published. The kind is the last token, so
// a subscriber that wants one kind of event (the rollback handler wants
// failures) has the server filter them instead of reading every event.
func Subject(ev *rebalancerv1.ExecutionEvent) string {
	return strings.Join([]string{SubjectPrefix, token(ev.GetNamespace()), token(ev.GetNodeGroup()),
		token(ev.GetExecutionId()), KindToken(ev.GetKind())}, ".")
}

// KindToken is an event kind as a subject token: the enum name without its
// prefix, in lower case (EVENT_KIND_BATCH_FAILED is batch_failed).
func KindToken(kind rebalancerv1.EventKind) string {
	return strings.ToLower(strings.TrimPrefix(kind.String(), "EVENT_KIND_"))
}

// ExecutionFilter matches the events of one execution whatever its group,
// for a watcher that knows only the execution ID.
func ExecutionFilter(executionID string) string {
	return SubjectPrefix + ".*.*." + token(executionID) + ".*"
}

// KindFilter matches the events of one kind of every execution.
func KindFilter(kind rebalancerv1.EventKind) string {
	return SubjectPrefix + ".*.*.*." + KindToken(kind)
}

// GroupFilter matches every execution of one group.
func GroupFilter(namespace, group string) string {
	return SubjectPrefix + "." + token(namespace) + "." + token(group) + ".>"
}

// token makes a name a single subject token. Kubernetes names are DNS
// subdomains: lowercase letters, digits, '-' and '.'; a '.' would split the
// token, so it becomes '_', which no DNS name holds (the mapping is one to one).
func token(name string) string { return strings.ReplaceAll(name, ".", "_") }

// MsgID is the Nats-Msg-Id of an event: JetStream drops a second publish of
// the same execution and sequence within DuplicateWindow.
func MsgID(executionID string, sequence uint64) string {
	return executionID + "-" + strconv.FormatUint(sequence, 10)
}

// StreamConfig is the stream's configuration, kept on replicas servers of
// a NATS cluster (1: a single server). File storage: events outlive a
// restart of the NATS server, so a resumed execution and its watchers see
// one history.
func StreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Progress events of node rebalancing executions",
		Subjects:    []string{SubjectPrefix + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      MaxAge,
		Duplicates:  DuplicateWindow,
		Replicas:    replicas,
	}
}

// EnsureStream creates the stream, or brings an existing one to StreamConfig.
func EnsureStream(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig(replicas))
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamName, err)
	}
	return s, nil
}
