package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// memStore is a Store in memory with the KV's revision rule.
type memStore struct {
	mu   sync.Mutex
	recs map[string]*store.Record
	// failUpdates makes every Update fail, as when NATS is unreachable.
	failUpdates error
}

func (m *memStore) Create(_ context.Context, r *store.Record) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.recs[r.State.GetExecutionId()]; ok {
		return nil, store.ErrExists
	}
	c := r.Clone()
	c.Revision = 1
	m.recs[r.State.GetExecutionId()] = c
	return c.Clone(), nil
}

func (m *memStore) Get(_ context.Context, id string) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[id]; ok {
		return r.Clone(), nil
	}
	return nil, store.ErrNotFound
}

func (m *memStore) Update(_ context.Context, r *store.Record) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failUpdates != nil {
		return nil, m.failUpdates
	}
	cur, ok := m.recs[r.State.GetExecutionId()]
	if !ok {
		return nil, store.ErrNotFound
	}
	if cur.Revision != r.Revision {
		return nil, store.ErrConflict
	}
	c := r.Clone()
	c.Revision++
	m.recs[r.State.GetExecutionId()] = c
	return c.Clone(), nil
}

func (m *memStore) List(context.Context) ([]*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*store.Record
	for _, r := range m.recs {
		out = append(out, r.Clone())
	}
	return out, nil
}

func (m *memStore) Unfinished(ctx context.Context) ([]*store.Record, error) {
	recs, err := m.List(ctx)
	return slices.DeleteFunc(recs, store.Settled), err
}

// events records what was published.
type events struct {
	mu   sync.Mutex
	list []*rebalancerv1.ExecutionEvent
}

func (e *events) Publish(_ context.Context, ev *rebalancerv1.ExecutionEvent) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
	return nil
}

func (e *events) kinds() []rebalancerv1.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []rebalancerv1.EventKind
	for _, ev := range e.list {
		out = append(out, ev.GetKind())
	}
	return out
}

// unit is an execution of a plan over fakes: the plan's NodeGroup shop/web
// in a fake autoscaler client, its old nodes (once addNodes made them) in a
// fake clientset, a fake cloud and clock.
type unit struct {
	x      *execution
	cloud  *cloudfake.Provider
	kube   *fake.Clientset
	groups *autoscalerfake.Clientset
	clock  *clocktesting.FakeClock
	events *events
}

// groupUID is the UID of the units' NodeGroup.
const groupUID = "6f1c2d3e-0000-4000-8000-00000000abcd"

// newUnit is an execution of a one-node plan replacing old-0.
func newUnit(t *testing.T, alternatives ...string) *unit {
	t.Helper()
	return newUnitOf(t, []string{"old-0"}, alternatives...)
}

// newUnitOf is an execution of a rolling plan replacing olds one after
// the other, with every node PENDING; the group allows alternatives.
func newUnitOf(t *testing.T, olds []string, alternatives ...string) *unit {
	t.Helper()
	u := &unit{cloud: cloudfake.New(), kube: fake.NewClientset(bootstrapSecret()), clock: clocktesting.NewFakeClock(time.Unix(1_800_000_000, 0)), events: &events{}}
	group := webGroup(alternatives)
	u.groups = autoscalerfake.NewClientset(group)
	plan := chainPlan(u.clock.Now(), group, olds...)
	mem := &memStore{recs: map[string]*store.Record{}}
	deps := Deps{Kube: u.kube, Groups: u.groups, Cloud: u.cloud, Store: mem, Events: u.events, Clock: u.clock}
	deps.withDefaults()
	deps.checker = accept.Checker{Kube: u.kube, Groups: u.groups}
	deps.Pace.CloudRetry = time.Millisecond
	// A lease far ahead: these tests step the clock by minutes, not days.
	lease := store.Lease{Expires: u.clock.Now().Add(1000 * time.Hour)}
	state := &rebalancerv1.ExecutionState{ExecutionId: "exec-1", PlanId: plan.PlanId, NodeGroup: "web", Namespace: "shop"}
	for i, old := range olds {
		state.Nodes = append(state.Nodes, &rebalancerv1.NodeExecution{OldNode: old, OldVmIdentifier: "vm-" + old,
			BatchNumber: int32(i + 1), Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING})
	}
	rec, err := mem.Create(t.Context(), &store.Record{Plan: plan, Lease: lease, State: state,
		Book: store.Book{Datacenter: catalog.NYC1, Provisioning: group.Spec.Provisioning}})
	require.NoError(t, err)
	u.x = newExecution(&deps, rec, nil)
	return u
}

// webGroup is NodeGroup shop/web, whose policy the units' plans keep to.
func webGroup(alternatives []string) *v1alpha1.NodeGroup {
	return &v1alpha1.NodeGroup{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: groupUID},
		Spec: v1alpha1.NodeGroupSpec{MinNodes: 1, MaxNodes: 10, Datacenter: catalog.NYC1, OfferingIDs: []string{"standard-8", "compute-4"},
			Rebalancing: v1alpha1.RebalancingPolicy{MaxConcurrent: 1, BatchSize: 1, MaxSurge: 1, MinHealthyPercent: ptr.To[int32](50),
				DrainTimeout: &metav1.Duration{Duration: time.Minute}, ProvisionTimeout: &metav1.Duration{Duration: time.Minute},
				AlternativeOfferings: alternatives},
			// Plain VMs, whose hostnames the tests know in advance.
			Provisioning: v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM,
				UserData: &v1alpha1.UserDataTemplate{SecretName: "boot", Key: "userData"}}},
	}
}

// bootstrapSecret holds the web group's user-data template.
func bootstrapSecret() *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "boot"},
		Data: map[string][]byte{"userData": []byte("#cloud-config\nruncmd: [kubeadm join --token unit.token]\n")}}
}

// chainPlan is a valid rolling plan of group, made at created, replacing
// olds one at a time, each batch after the one before, under the group's
// own policy.
func chainPlan(created time.Time, group *v1alpha1.NodeGroup, olds ...string) *rebalancerv1.RebalancePlan {
	pol := policy.FromSpec(group.Spec.Rebalancing)
	n := int32(len(olds))
	p := &rebalancerv1.RebalancePlan{
		AnalysisId: "analysis-1", NodeGroup: group.Name, Namespace: group.Namespace, NodeGroupUid: string(group.UID),
		AnalysisVerdict: rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4",
			AlternativeOfferings: pol.GetAlternativeOfferings()},
		Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, GroupSize: n, TotalNodes: n, ReadyNodesAtStart: n,
		MinHealthyNodes: (n + 1) / 2, MaxConcurrent: 1, MaxSurge: 1, Policy: pol,
		EstimatedDuration: durationpb.New(time.Hour), CreatedAt: timestamppb.New(created),
		RollbackPlan: &rebalancerv1.RollbackPlan{Automatic: true},
	}
	for i, old := range olds {
		b := &rebalancerv1.NodeBatch{BatchNumber: int32(i + 1), Phase: rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE,
			EstimatedDuration: durationpb.New(time.Minute),
			Nodes: []*rebalancerv1.CandidateNode{{NodeName: old, VmIdentifier: "vm-" + old, CurrentOffering: "standard-8",
				TargetOffering: "compute-4", SafeToRebalance: true}}}
		if i > 0 {
			b.DependsOn = []int32{int32(i)}
		}
		p.Batches = append(p.Batches, b)
	}
	rb := p.RollbackPlan
	step := func(action rebalancerv1.RollbackAction, name string) {
		rb.Steps = append(rb.Steps, &rebalancerv1.RollbackStep{Order: int32(len(rb.Steps) + 1), Action: action, NodeName: name})
	}
	step(rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION, "")
	for _, old := range olds {
		step(rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE, old)
	}
	for _, old := range olds {
		step(rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE, old)
	}
	return seal(p)
}

// seal gives p the ID of its content.
func seal(p *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
	p.PlanId = ""
	id, err := plancheck.PlanID(p)
	if err != nil {
		panic(err)
	}
	p.PlanId = id
	return p
}

// addNodes makes the plan's old nodes in the fake cluster: members of
// shop/web running their planned VMs.
func (u *unit) addNodes(t *testing.T, olds ...string) {
	t.Helper()
	for _, old := range olds {
		_, err := u.kube.CoreV1().Nodes().Create(t.Context(), groupNode(old), metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

func groupNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1alpha1.LabelNodeGroup: "web"}},
		Spec: corev1.NodeSpec{ProviderID: v1alpha1.ProviderID("vm-" + name)}}
}

// editGroup changes the unit's NodeGroup as its owner would.
func (u *unit) editGroup(t *testing.T, edit func(ng *v1alpha1.NodeGroup)) {
	t.Helper()
	ng, err := u.groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	edit(ng)
	_, err = u.groups.NodeGroups("shop").Update(t.Context(), ng, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// group is the unit's NodeGroup as stored.
func (u *unit) group(t *testing.T) *v1alpha1.NodeGroup {
	t.Helper()
	ng, err := u.groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	return ng
}
