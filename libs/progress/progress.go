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
)

const (
	// StreamName is the JetStream stream holding every execution's events.
	StreamName = "REBALANCER_EVENTS"
	// SubjectPrefix starts every event subject:
	// rebalancer.events.<namespace>.<group>.<execution_id>.
	SubjectPrefix = "rebalancer.events"
	// DuplicateWindow is how long JetStream remembers message IDs: a publish
	// retried within it is stored once.
	DuplicateWindow = 10 * time.Minute
	// MaxAge keeps events long enough for a post-mortem of last week's runs.
	MaxAge = 14 * 24 * time.Hour
)

// Subject is where the events of one execution are published.
func Subject(namespace, group, executionID string) string {
	return strings.Join([]string{SubjectPrefix, token(namespace), token(group), token(executionID)}, ".")
}

// ExecutionFilter matches the events of one execution whatever its group,
// for a watcher that knows only the execution ID.
func ExecutionFilter(executionID string) string {
	return SubjectPrefix + ".*.*." + token(executionID)
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

// StreamConfig is the stream's configuration. File storage: events outlive
// a restart of the NATS server, so a resumed execution and its watchers see
// one history.
func StreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Progress events of node rebalancing executions",
		Subjects:    []string{SubjectPrefix + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      MaxAge,
		Duplicates:  DuplicateWindow,
	}
}

// EnsureStream creates the stream, or brings an existing one to StreamConfig.
func EnsureStream(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig())
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamName, err)
	}
	return s, nil
}
