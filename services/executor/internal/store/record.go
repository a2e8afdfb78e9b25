// Package store keeps executions in a JetStream key-value bucket: per
// execution, the public ExecutionState and the Executor's own bookkeeping
// (what it changed on nodes, when clocks started, the events not yet
// published), stored as a head and one part per node so that a write
// carries only what changed (parts.go), the head written over the revision
// last read so two writers never overwrite each other silently; and one
// key per execution for its plan, written once at acceptance (plankey.go),
// because the plan never changes and is most of an execution's bytes.
package store

import (
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Record is one execution as stored.
type Record struct {
	State *rebalancerv1.ExecutionState
	// Plan is stored under its own key (PlanKey), written once by Create,
	// and never changes after: records share it, and Update does not
	// write it (a change to it is not stored).
	Plan *rebalancerv1.RebalancePlan
	Book Book
	// AcceptedAt orders listings (newest first); an execution awaiting
	// approval has no started_at yet.
	AcceptedAt  time.Time
	RequestedBy string
	// Outbox holds the events stored but maybe not yet published, in
	// sequence order, the last one's sequence the state's
	// LastEventSequence: an event enters it in the write that gives it its
	// sequence, and leaves it in a write after it was published. Whoever
	// takes the execution over publishes all of it again, first thing;
	// a repeat is harmless (the stream drops a message ID it holds,
	// watchers skip a sequence they saw).
	Outbox []Outgoing
	// Lease says which replica may act on the execution, and until when.
	// It lives in the record so that every write (a CAS over the revision)
	// also fences: a replica whose lease was claimed fails its next write.
	Lease Lease
	// Control holds what an operator asked of the running execution
	// (pause, cancel); its owner acts on it at the next step boundary.
	Control Control
	// Revision is the bucket revision this record was read at (or written
	// as); Update refuses to write over a newer one.
	Revision uint64
}

// Outgoing is one event of the outbox.
type Outgoing struct {
	Seq uint64 `json:"seq"`
	// Event is the event in its wire encoding (progress.Encode).
	Event []byte `json:"event"`
}

// Book is what the Executor needs to resume and to undo, beyond the public
// state.
type Book struct {
	// Datacenter, GroupLabels and GroupTaints are the group's, read at
	// acceptance, so a resumed execution provisions alike.
	Datacenter  string            `json:"datacenter,omitempty"`
	GroupLabels map[string]string `json:"groupLabels,omitempty"`
	GroupTaints []corev1.Taint    `json:"groupTaints,omitempty"`
	// Provisioning is the group's, read at acceptance: a resumed execution
	// obtains and removes nodes the same way.
	Provisioning v1alpha1.Provisioning `json:"provisioning,omitzero"`
	// OldNodesTainted is set once every old node carries the replacing
	// taint. (Stored under its first name, so records written before the
	// rename still read.)
	OldNodesTainted bool `json:"oldNodesMarked,omitempty"`
	// Nodes holds per old node bookkeeping, by old node name.
	Nodes map[string]*NodeBook `json:"nodes,omitempty"`
	// BatchStartedAt and BatchDoneAt say when each batch started and
	// completed (soak times count from completion). Each is written in the
	// same write as its BATCH_STARTED or BATCH_COMPLETED event, so a
	// resumed execution knows which of those events are out already.
	BatchStartedAt map[int32]time.Time `json:"batchStartedAt,omitempty"`
	BatchDoneAt    map[int32]time.Time `json:"batchDoneAt,omitempty"`
	// BatchFailedAt says when a batch failed, written with its
	// BATCH_FAILED event: a resumed run that fails it again says so once.
	BatchFailedAt map[int32]time.Time `json:"batchFailedAt,omitempty"`
	// RollbackRetry is set once a rollback failed: the execution stays
	// ROLLING_BACK, its lease released, and is claimed again at NextAt.
	RollbackRetry *RollbackRetry `json:"rollbackRetry,omitempty"`
	// GateFailed is the regression a soak's health gate found, set with
	// the node's failure: the execution then rolls back even when its
	// plan's rollback is not automatic, as a canary's must.
	GateFailed string `json:"gateFailed,omitempty"`
	// Ending is set in the same write that makes the status final, and
	// cleared once the end's tail is done (its events, the NodeGroup, the
	// lease): an owner killed in between leaves it to whoever claims the
	// record next, so the final event and the group's status are never lost.
	Ending *Ending `json:"ending,omitempty"`
}

// Ending is the tail of an execution's end still to do.
type Ending struct {
	// SavingsAnnounced and Announced are set, each with its event
	// (SAVINGS_VERIFIED, the final one), in the write that stores that
	// event: a resumed tail emits neither twice.
	SavingsAnnounced bool `json:"savingsAnnounced,omitempty"`
	Announced        bool `json:"announced,omitempty"`
}

// Settled reports whether r will not change again: final, and the tail
// of its end done.
func Settled(r *Record) bool { return Final(r.State.GetStatus()) && r.Book.Ending == nil }

// RollbackRetry is the backoff of a rollback that failed.
type RollbackRetry struct {
	// Attempts counts the rollbacks that failed.
	Attempts int `json:"attempts"`
	// NextAt is when the next attempt may start.
	NextAt time.Time `json:"nextAt"`
	// LastError is why the last attempt failed.
	LastError string `json:"lastError,omitempty"`
}

// NodeBook is the bookkeeping of one old node's replacement.
type NodeBook struct {
	// Original is the marks the old node had before the Executor tainted
	// it, restored exactly on rollback; nil until tainted.
	Original *Marks `json:"original,omitempty"`
	// ProvisionStartedAt starts the provision timeout of the current attempt.
	ProvisionStartedAt time.Time `json:"provisionStartedAt,omitzero"`
	// ProvisionAttempts counts VMs asked for (a VM that never joined is
	// deleted and asked for once more).
	ProvisionAttempts int `json:"provisionAttempts,omitempty"`
	// ManagedAdd is the add of a node to a VPSie group (managed mode),
	// written before the call: VPSie's add names nothing and is not
	// idempotent, so a resumed step looks for the node instead of adding
	// again.
	ManagedAdd *ManagedAdd `json:"managedAdd,omitempty"`
	// DrainStartedAt starts the drain timeout; persisted so a resume does
	// not restart the clock.
	DrainStartedAt  time.Time `json:"drainStartedAt,omitzero"`
	VerifyStartedAt time.Time `json:"verifyStartedAt,omitzero"`
	Verified        bool      `json:"verified,omitempty"`
	// SoakStartedAt starts the soak of a node whose batch soaks (the
	// canary, a blue-green drain): persisted so a resumed soak watches only
	// what is left of it, and judges restarts from its start. SoakPassed is
	// set, with HEALTH_GATE_PASSED, when it ended without a regression.
	SoakStartedAt time.Time `json:"soakStartedAt,omitzero"`
	SoakPassed    bool      `json:"soakPassed,omitempty"`
	// Owners are the workloads whose pods left the node, as
	// "Kind/namespace/name", verified available before termination.
	Owners []string `json:"owners,omitempty"`
	// ForceDeleted are pods deleted past their budget, as "namespace/name".
	ForceDeleted []string `json:"forceDeleted,omitempty"`
	// Rollouts are the single-replica Deployments restarted to move their
	// pod off a node instead of evicting it, each written before its patch
	// (with its event) so it happens once per execution, node and
	// Deployment: a resumed drain patches the same value again, a no-op.
	Rollouts []Rollout `json:"rollouts,omitempty"`
}

// ManagedAdd is one node asked of a VPSie group.
type ManagedAdd struct {
	// Group is the VPSie group's numeric id; GroupName its name.
	Group     int64  `json:"group"`
	GroupName string `json:"groupName,omitempty"`
	// Known are the identifiers of the cluster's nodes listed before the
	// add: none of them is the new node.
	Known []string `json:"known,omitempty"`
	// Sent is set once VPSie accepted the add.
	Sent bool `json:"sent,omitempty"`
	// Node is the identifier of the node this add bought, when it could be
	// told apart (nodestep/attribution.go); "" when not. A lane claims and
	// deletes only its own node: with several lanes adding to one group,
	// "a node added since my list" may be another lane's.
	Node string `json:"node,omitempty"`
}

// Rollout is one restart of a Deployment by a drain.
type Rollout struct {
	// Node is the node drained: the old node, or its replacement when a
	// rollback drains it.
	Node string `json:"node"`
	// Deployment is "namespace/name".
	Deployment string `json:"deployment"`
	// RestartedAt is the pod template annotation's value set by the patch.
	RestartedAt string `json:"restartedAt"`
	// Announced is set, with the POD_ROLLED_OUT event, once the patch was
	// accepted: a record without it is a restart asked for but not yet
	// known to have happened.
	Announced bool `json:"announced,omitempty"`
}

// Rollout returns the restart of deployment ("namespace/name") recorded
// for node, or nil.
func (nb *NodeBook) Rollout(node, deployment string) *Rollout {
	for i := range nb.Rollouts {
		if nb.Rollouts[i].Node == node && nb.Rollouts[i].Deployment == deployment {
			return &nb.Rollouts[i]
		}
	}
	return nil
}

// Marks is what the Executor changes on an old node while it replaces
// it: the cordon, the taints (it adds the replacing taint), and labels
// (it sets the exclude-from-external-load-balancers label).
type Marks struct {
	Unschedulable bool           `json:"unschedulable,omitempty"`
	Taints        []corev1.Taint `json:"taints,omitempty"`
	// Labels holds the labels the Executor sets, with their values before;
	// a key absent here was absent on the node.
	Labels map[string]string `json:"labels,omitempty"`
}

// NodeBook returns the bookkeeping of an old node, creating it.
func (b *Book) NodeBook(old string) *NodeBook {
	if b.Nodes == nil {
		b.Nodes = map[string]*NodeBook{}
	}
	if b.Nodes[old] == nil {
		b.Nodes[old] = &NodeBook{}
	}
	return b.Nodes[old]
}

// BatchStarted reports whether batch's start was recorded.
func (b *Book) BatchStarted(batch int32) bool {
	_, ok := b.BatchStartedAt[batch]
	return ok
}

// BatchDone reports whether batch's completion was recorded.
func (b *Book) BatchDone(batch int32) bool {
	_, ok := b.BatchDoneAt[batch]
	return ok
}

// BatchFailed reports whether batch's failure was recorded.
func (b *Book) BatchFailed(batch int32) bool {
	_, ok := b.BatchFailedAt[batch]
	return ok
}

// RecordBatchFailed records that batch failed at.
func (b *Book) RecordBatchFailed(batch int32, at time.Time) {
	b.BatchFailedAt = withTime(b.BatchFailedAt, batch, at)
}

// RecordBatchStarted records that batch started at.
func (b *Book) RecordBatchStarted(batch int32, at time.Time) {
	b.BatchStartedAt = withTime(b.BatchStartedAt, batch, at)
}

// RecordBatchDone records that batch completed at.
func (b *Book) RecordBatchDone(batch int32, at time.Time) {
	b.BatchDoneAt = withTime(b.BatchDoneAt, batch, at)
}

// withTime sets m[batch] to at, making m if it is nil (a decoded record
// without the field).
func withTime(m map[int32]time.Time, batch int32, at time.Time) map[int32]time.Time {
	if m == nil {
		m = map[int32]time.Time{}
	}
	m[batch] = at
	return m
}

// Clone returns a deep copy, so a failed write leaves the caller's copy
// intact; the plan, which never changes, is shared.
func (r *Record) Clone() *Record {
	data, err := r.encode()
	if err != nil {
		panic(fmt.Sprintf("store: a record that cannot be encoded: %v", err))
	}
	d, err := decode(data)
	if err != nil {
		panic(fmt.Sprintf("store: a record that cannot be decoded: %v", err))
	}
	c := d.rec
	c.Plan, c.Revision = r.Plan, r.Revision
	return c
}

// envelope is the stored JSON; the protobuf messages travel in their
// binary encoding (base64 in JSON), which is what every replica's runtime
// reads back exactly.
type envelope struct {
	State []byte `json:"state"`
	// Plan is a planRef naming the plan's key. Records written before the
	// plan had its own key hold the plan itself here (a JSON string, its
	// binary encoding): decode still reads them. A replica of that earlier
	// version fails to decode a reference (an object where it expects a
	// string) and so leaves the execution alone, instead of reading an
	// empty plan and refusing it as altered.
	Plan        json.RawMessage `json:"plan"`
	Book        Book            `json:"book"`
	AcceptedAt  time.Time       `json:"acceptedAt"`
	RequestedBy string          `json:"requestedBy,omitempty"`
	Lease       Lease           `json:"lease,omitzero"`
	Control     Control         `json:"control,omitzero"`
	Outbox      []Outgoing      `json:"outbox,omitempty"`
	// LastEvent is only read: records written before the outbox held
	// their last event (with sequence LastEventSequence) here.
	LastEvent []byte `json:"lastEvent,omitempty"`
	// Parts is set on the head of a record stored in parts (parts.go). An
	// earlier version would read such a head as an execution without
	// nodes: every replica is upgraded together.
	Parts *nodeParts `json:"parts,omitempty"`
}

// planRef is where a record's plan is stored.
type planRef struct {
	Key string `json:"key"`
}

// encode is the record as stored whole, without its plan (see
// encodePlan).
func (r *Record) encode() ([]byte, error) { return r.encodeWith(nil) }

// encodeWith is the record as stored, without its plan; with parts, it is
// the head of a record whose nodes are stored apart (parts.go).
func (r *Record) encodeWith(parts *nodeParts) ([]byte, error) {
	state, err := proto.Marshal(r.State)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	ref, err := json.Marshal(planRef{Key: PlanKey(r.State.GetExecutionId())})
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{State: state, Plan: ref, Book: r.Book, AcceptedAt: r.AcceptedAt, RequestedBy: r.RequestedBy,
		Lease: r.Lease, Control: r.Control, Outbox: r.Outbox, Parts: parts})
}

// stored is a record as decoded from its key: planKey names the key of its
// plan ("" when the record embeds it, as an earlier version's did), and
// parts is set when its nodes are stored apart and still to be joined.
type stored struct {
	rec     *Record
	planKey string
	parts   *nodeParts
}

// decode reads a stored record. Its plan is set when the record embeds
// it (an earlier version's); otherwise the plan is nil and planKey names
// the key holding it.
func decode(data []byte) (stored, error) {
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return stored{}, fmt.Errorf("decode record: %w", err)
	}
	r := &Record{State: &rebalancerv1.ExecutionState{},
		Book: e.Book, AcceptedAt: e.AcceptedAt, RequestedBy: e.RequestedBy,
		Lease: e.Lease, Control: e.Control, Outbox: e.Outbox}
	if err := proto.Unmarshal(e.State, r.State); err != nil {
		return stored{}, fmt.Errorf("decode state: %w", err)
	}
	if len(r.Outbox) == 0 && len(e.LastEvent) > 0 {
		r.Outbox = []Outgoing{{Seq: r.State.GetLastEventSequence(), Event: e.LastEvent}}
	}
	var ref planRef
	if err := json.Unmarshal(e.Plan, &ref); err == nil && ref.Key != "" {
		return stored{rec: r, planKey: ref.Key, parts: e.Parts}, nil
	}
	var embedded []byte // an earlier version's record; absent reads as empty, as it did
	if len(e.Plan) > 0 {
		if err := json.Unmarshal(e.Plan, &embedded); err != nil {
			return stored{}, fmt.Errorf("decode plan: %w", err)
		}
	}
	var err error
	if r.Plan, err = decodePlan(embedded); err != nil {
		return stored{}, err
	}
	return stored{rec: r, parts: e.Parts}, nil
}

// encodePlan is the value of a plan's key.
func encodePlan(p *rebalancerv1.RebalancePlan) ([]byte, error) {
	data, err := proto.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return data, nil
}

func decodePlan(data []byte) (*rebalancerv1.RebalancePlan, error) {
	p := &rebalancerv1.RebalancePlan{}
	if err := proto.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	return p, nil
}
