package nodestep

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// ledger is an Execution in memory: the engine's side of the steps
// without its store, lease or stream. Like the engine it writes a copy of
// the record, so what a step read stays as it read it.
type ledger struct {
	mu     sync.Mutex
	rec    *store.Record
	events []Event
	// stop is what Proceed answers.
	stop error
	// live and liveErr are what LivePolicy answers.
	live    *rebalancerv1.RebalancePolicy
	liveErr error
}

var _ Execution = (*ledger)(nil)

func (l *ledger) ID() string { return "exec-1" }

func (l *ledger) Plan() *rebalancerv1.RebalancePlan {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec.Plan
}

func (l *ledger) GroupSpec() GroupSpec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return GroupSpec{Datacenter: l.rec.Book.Datacenter, Labels: l.rec.Book.GroupLabels, Taints: l.rec.Book.GroupTaints,
		Provisioning: l.rec.Book.Provisioning}
}

func (l *ledger) LivePolicy(context.Context) (*rebalancerv1.RebalancePolicy, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live, l.liveErr
}

func (l *ledger) Node(old string) (*rebalancerv1.NodeExecution, store.NodeBook) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var nb store.NodeBook
	if b := l.rec.Book.Nodes[old]; b != nil {
		nb = *b
	}
	return proto.CloneOf(stateOf(l.rec, old)), nb
}

func (l *ledger) UpdateNode(_ context.Context, old string, fn func(*rebalancerv1.NodeExecution, *store.NodeBook)) error {
	return l.write(func(r *store.Record) { fn(stateOf(r, old), r.Book.NodeBook(old)) })
}

func (l *ledger) OldNodesTainted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec.Book.OldNodesTainted
}

func (l *ledger) RecordOldNodesTainted(context.Context) error {
	return l.write(func(r *store.Record) { r.Book.OldNodesTainted = true })
}

func (l *ledger) Emit(ctx context.Context, e Event) error {
	return l.EmitOnce(ctx, e, "", nil)
}

func (l *ledger) EmitOnce(_ context.Context, e Event, old string, fact func(*store.NodeBook)) error {
	return l.write(func(r *store.Record) {
		if fact != nil {
			fact(r.Book.NodeBook(old))
		}
		l.events = append(l.events, e)
	})
}

func (l *ledger) Proceed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stop
}

// write applies fn to a copy of the record and keeps the copy.
func (l *ledger) write(fn func(r *store.Record)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := l.rec.Clone()
	fn(next)
	l.rec = next
	return nil
}

func stateOf(r *store.Record, old string) *rebalancerv1.NodeExecution {
	for _, ne := range r.State.GetNodes() {
		if ne.GetOldNode() == old {
			return ne
		}
	}
	panic("no node " + old)
}

func (l *ledger) kinds() []rebalancerv1.EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []rebalancerv1.EventKind
	for _, e := range l.events {
		out = append(out, e.Kind)
	}
	return out
}

func (l *ledger) eventsOf(kind rebalancerv1.EventKind) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// unit is the replacement of old-0, of a one-node plan, over fakes: a
// fake clientset behind NewKube (a small fake Kube instead with
// newSmallUnit), the cloud fake, a fake clock.
type unit struct {
	x     *ledger
	r     *Runner
	n     *Node
	cloud *cloudfake.Provider
	kube  *fake.Clientset
	clock *clocktesting.FakeClock
}

func newUnit(t *testing.T, alternatives ...string) *unit {
	t.Helper()
	u := &unit{kube: fake.NewClientset(bootstrapSecret(testTemplate))}
	u.build(NewKube(u.kube), alternatives...)
	return u
}

// testTemplate is the unit's user-data template: a join with the token
// and the kubelet flags of the node's labels and taints.
const testTemplate = `#cloud-config
runcmd:
  - kubeadm join --token unit.token --node-name {{ .Hostname }}
  - echo --node-labels={{ .KubeletLabels }} --register-with-taints={{ .KubeletTaints }}
`

// bootstrapSecret is the unit group's user-data Secret holding text.
func bootstrapSecret(text string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "boot"},
		Data: map[string][]byte{"userData": []byte(text)}}
}

// newSmallUnit is a unit over the small fake Kube.
func newSmallUnit(t *testing.T, k *smallKube) *unit {
	t.Helper()
	u := &unit{}
	u.build(k)
	return u
}

func (u *unit) build(k Kube, alternatives ...string) {
	cand := &rebalancerv1.CandidateNode{NodeName: "old-0", VmIdentifier: "vm-old-0", CurrentOffering: "standard-8", TargetOffering: "compute-4"}
	plan := &rebalancerv1.RebalancePlan{
		PlanId: "plan-0123456789abcdef0123", NodeGroup: "web", Namespace: "shop",
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4", AlternativeOfferings: alternatives},
		Policy:      &rebalancerv1.RebalancePolicy{DrainTimeout: durationpb.New(time.Minute), ProvisionTimeout: durationpb.New(time.Minute)},
		Batches: []*rebalancerv1.NodeBatch{{BatchNumber: 1, Phase: rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE,
			Nodes: []*rebalancerv1.CandidateNode{cand}}},
	}
	u.cloud, u.clock = cloudfake.New(), clocktesting.NewFakeClock(time.Unix(1_800_000_000, 0))
	vmMode := v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM, UserData: &v1alpha1.UserDataTemplate{SecretName: "boot", Key: "userData"}}
	u.x = &ledger{rec: &store.Record{Plan: plan, Book: store.Book{Datacenter: catalog.NYC1, Provisioning: vmMode},
		State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1", PlanId: plan.PlanId, NodeGroup: "web", Namespace: "shop",
			Nodes: []*rebalancerv1.NodeExecution{{OldNode: "old-0", OldVmIdentifier: "vm-old-0", Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING}}}},
		// The group allows the plan's alternatives and respects PDBs, as by default.
		live: &rebalancerv1.RebalancePolicy{AlternativeOfferings: alternatives, RespectPdbs: true}}
	pace := DefaultPace()
	pace.CloudRetry = time.Millisecond
	env := Env{Kube: k, Cloud: u.cloud, Clock: u.clock, Logger: slog.New(slog.DiscardHandler), Pace: pace, Installation: DefaultInstallation}
	u.r = NewRunner(env, u.x)
	u.n = u.r.Node(cand, 1)
}

// stepping runs fn, stepping the fake clock by step whenever fn waits on it.
func (u *unit) stepping(step time.Duration, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	for {
		select {
		case err := <-done:
			return err
		case <-time.After(time.Millisecond):
			if u.clock.HasWaiters() {
				u.clock.Step(step)
			}
		}
	}
}

func ptrTrue() *bool { b := true; return &b }
