package engine

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// accepting is an Executor over a unit's world, with no execution stored,
// and a plan of that world to submit: old-0 and old-1 of shop/web, both
// in the cluster.
type accepting struct {
	*unit
	t    *testing.T
	e    *Executor
	plan *rebalancerv1.RebalancePlan
}

func newAccepting(t *testing.T) *accepting {
	t.Helper()
	u := newUnitOf(t, []string{"old-0", "old-1"})
	u.addNodes(t, "old-0", "old-1")
	mem := &memStore{recs: map[string]*store.Record{}}
	deps := *u.x.deps
	deps.Store = mem
	e := New(deps, deps.checker, nil)
	t.Cleanup(e.Stop)
	return &accepting{unit: u, t: t, e: e, plan: u.x.plan()}
}

// resealed is a copy of the plan changed by edit, with the ID of its new
// content: what a caller who edits a plan by hand sends.
func (a *accepting) resealed(edit func(p *rebalancerv1.RebalancePlan)) *rebalancerv1.RebalancePlan {
	p := chainPlan(a.clock.Now(), webGroup(nil), "old-0", "old-1")
	p.CreatedAt = a.plan.GetCreatedAt()
	edit(p)
	return seal(p)
}

// requireRefused asserts err is a refusal by rule, and that nothing was
// written: no execution stored, the group's lock free.
func (a *accepting) requireRefused(t *testing.T, err error, rule accept.Rule) *accept.Refusal {
	t.Helper()
	r, ok := accept.AsRefusal(err)
	require.True(t, ok, "a refusal: %v", err)
	require.Equal(t, rule, r.Rule, r.Reason)
	recs, lerr := a.e.deps.Store.List(t.Context())
	require.NoError(t, lerr)
	require.Empty(t, recs, "a refusal stores no execution")
	require.Nil(t, a.group(t).Status.ActiveExecution, "a refusal takes no lock")
	return r
}

var failedWindow = &rebalancerv1.SafetyCheck{Name: "timing.maintenance_window", Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED,
	Message: "outside every maintenance window"}

// A plan the Analyzer postponed or rejected is refused first, naming the
// checks that did not pass, whoever resealed it.
func TestAPostponedOrRejectedPlanIsRefusedNamingItsFailedChecks(t *testing.T) {
	t.Parallel()
	for _, verdict := range []rebalancerv1.RecommendedAction{rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE,
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT} {
		t.Run(verdict.String(), func(t *testing.T) {
			t.Parallel()
			a := newAccepting(t)
			plan := a.resealed(func(p *rebalancerv1.RebalancePlan) {
				p.AnalysisVerdict, p.FailedChecks = verdict, []*rebalancerv1.SafetyCheck{failedWindow}
			})
			_, err := a.e.Execute(t.Context(), plan, "test")
			r := a.requireRefused(t, err, accept.RuleVerdict)
			require.Contains(t, r.Reason, "timing.maintenance_window (FAILED: outside every maintenance window)")
			require.Equal(t, []accept.Detail{{Kind: accept.DetailSafetyCheck, Subject: "timing.maintenance_window",
				Description: "FAILED: outside every maintenance window"}}, r.Details)
		})
	}
}

// A NEEDS_REVIEW plan waits for an approval; one that says it need not is
// malformed, and refused as such.
func TestANeedsReviewPlanAlwaysAwaitsApproval(t *testing.T) {
	t.Parallel()
	a := newAccepting(t)
	review := a.resealed(func(p *rebalancerv1.RebalancePlan) {
		p.AnalysisVerdict, p.RequiresApproval = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW, true
	})
	st, err := a.e.Execute(t.Context(), review, "test")
	require.NoError(t, err)
	require.Equal(t, awaitingApproval, st.GetStatus())

	b := newAccepting(t)
	unasked := b.resealed(func(p *rebalancerv1.RebalancePlan) {
		p.AnalysisVerdict = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
	})
	_, err = b.e.Execute(t.Context(), unasked, "test")
	var invalid *apivalidate.Error
	require.ErrorAs(t, err, &invalid)
	require.True(t, accept.NeedsApproval(unasked), "held for approval had it passed")
}

// Each live guard of acceptance refuses with its rule and writes nothing.
func TestAcceptanceRefusesWhatTheLiveGroupDoesNotAllow(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan
		rule   accept.Rule
		says   string
	}{
		"a looser floor than the group's": {rule: accept.RuleCeiling, says: "min_healthy_percent is 50 in the plan but 75 in the group",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](75) })
				return a.plan
			}},
		"force where the group rolls back": {rule: accept.RuleCeiling, says: "drain_timeout_action is FORCE in the plan but ROLLBACK in the group",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				return a.resealed(func(p *rebalancerv1.RebalancePlan) {
					p.Policy.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
				})
			}},
		"an alternative the group does not allow": {rule: accept.RuleCeiling, says: `alternative_offerings is "compute-2"`,
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				return a.resealed(func(p *rebalancerv1.RebalancePlan) {
					p.Opportunity.AlternativeOfferings = []string{"compute-2"}
				})
			}},
		"the group disabled": {rule: accept.RuleEnabled, says: "rebalancing is disabled for node group shop/web",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Enabled = ptr.To(false) })
				return a.plan
			}},
		"the group recreated": {rule: accept.RuleNodeGroup, says: "another group of that name",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.UID = "another-uid" })
				return a.plan
			}},
		"moved to a namespace with a group of that name": {rule: accept.RuleNodeGroup, says: "another group of that name",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				other := webGroup(nil)
				other.Namespace, other.UID = "staging", "staging-uid"
				_, err := a.groups.NodeGroups("staging").Create(t.Context(), other, metav1.CreateOptions{})
				require.NoError(t, err)
				return a.resealed(func(p *rebalancerv1.RebalancePlan) { p.Namespace = "staging" })
			}},
		"no group UID": {rule: accept.RuleNodeGroup, says: "names no NodeGroup UID",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				return a.resealed(func(p *rebalancerv1.RebalancePlan) { p.NodeGroupUid = "" })
			}},
		"older than the maximum plan age": {rule: accept.RulePlanAge, says: "1h0m1s ago",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.clock.Step(time.Hour + time.Second)
				return a.plan
			}},
		"dated in the future": {rule: accept.RulePlanAge, says: "later than now",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				return a.resealed(func(p *rebalancerv1.RebalancePlan) {
					p.CreatedAt = timestamppb.New(a.clock.Now().Add(24 * time.Hour))
				})
			}},
		"outside the maintenance windows": {rule: accept.RuleSchedule, says: "the next start is allowed at Saturday 2027-01-16 02:00 UTC",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.editGroup(t, func(ng *v1alpha1.NodeGroup) {
					ng.Spec.Rebalancing.MaintenanceWindows = []v1alpha1.TimeWindow{{Start: "02:00", End: "04:00"}}
				})
				return a.plan
			}},
		"inside peak hours": {rule: accept.RuleSchedule, says: "inside peak hours every day 07:00-18:00",
			change: func(t *testing.T, a *accepting) *rebalancerv1.RebalancePlan {
				a.editGroup(t, func(ng *v1alpha1.NodeGroup) {
					ng.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "07:00", End: "18:00"}}
				})
				return a.plan
			}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAccepting(t)
			plan := tc.change(t, a)
			_, err := a.e.Execute(t.Context(), plan, "test")
			r := a.requireRefused(t, err, tc.rule)
			require.Contains(t, r.Reason, tc.says)
		})
	}
}

// A plan that waits for an approval is not held to the schedule nor its
// age until it is approved; the approval is, and a refused approval
// leaves it waiting, untouched.
func TestAnApprovalIsHeldToTheScheduleAndThePlansAge(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		later func(a *accepting)
		rule  accept.Rule
	}{
		"the window closed": {rule: accept.RuleSchedule, later: func(a *accepting) {
			a.editGroup(a.t, func(ng *v1alpha1.NodeGroup) {
				ng.Spec.Rebalancing.MaintenanceWindows = []v1alpha1.TimeWindow{{Start: "02:00", End: "04:00"}}
			})
		}},
		"the plan grew old":  {rule: accept.RulePlanAge, later: func(a *accepting) { a.clock.Step(2 * time.Hour) }},
		"a node left":        {rule: accept.RuleNodes, later: func(a *accepting) { a.deleteNode("old-1") }},
		"the group disabled": {rule: accept.RuleEnabled, later: func(a *accepting) { a.disable() }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAccepting(t)
			plan := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval = true })
			st, err := a.e.Execute(t.Context(), plan, "test")
			require.NoError(t, err)
			require.Equal(t, awaitingApproval, st.GetStatus())
			before, err := a.e.deps.Store.Get(t.Context(), st.GetExecutionId())
			require.NoError(t, err)

			tc.later(a)
			_, err = a.e.Approve(t.Context(), st.GetExecutionId(), "alice")
			r, ok := accept.AsRefusal(err)
			require.True(t, ok, "refused: %v", err)
			require.Equal(t, tc.rule, r.Rule)
			after, err := a.e.deps.Store.Get(t.Context(), st.GetExecutionId())
			require.NoError(t, err)
			require.Equal(t, before.Revision, after.Revision, "a refused approval writes nothing")
			require.Equal(t, awaitingApproval, after.State.GetStatus())
		})
	}
}

func (a *accepting) deleteNode(name string) {
	require.NoError(a.t, a.kube.CoreV1().Nodes().Delete(a.t.Context(), name, metav1.DeleteOptions{}))
}

func (a *accepting) disable() {
	a.editGroup(a.t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Enabled = ptr.To(false) })
}

// One execution per group: a second plan while the first is not final is
// refused naming it; the same plan again is the same execution.
func TestASecondPlanForABusyGroupIsRefusedNamingTheExecutionHoldingIt(t *testing.T) {
	t.Parallel()
	a := newAccepting(t)
	first := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval = true })
	st, err := a.e.Execute(t.Context(), first, "test")
	require.NoError(t, err)
	holder := a.group(t).Status.ActiveExecution
	require.NotNil(t, holder)
	require.Equal(t, first.GetPlanId(), holder.PlanID)
	require.Equal(t, st.GetExecutionId(), holder.ExecutionID)
	require.Equal(t, DefaultInstallation, holder.Installation)

	again, err := a.e.Execute(t.Context(), first, "test")
	require.NoError(t, err)
	require.Equal(t, st.GetExecutionId(), again.GetExecutionId(), "the same plan is the same execution")

	second := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval, p.Canary = true, true })
	_, err = a.e.Execute(t.Context(), second, "test")
	r, ok := accept.AsRefusal(err)
	require.True(t, ok, "refused: %v", err)
	require.Equal(t, accept.RuleOneAtATime, r.Rule)
	require.Contains(t, r.Reason, st.GetExecutionId())
	_, err = a.e.deps.Store.Get(t.Context(), naming.ExecutionID(second.GetPlanId()))
	require.ErrorIs(t, err, store.ErrNotFound, "nothing stored for the refused plan")
	require.Equal(t, first.GetPlanId(), a.group(t).Status.ActiveExecution.PlanID, "the lock stays the first's")
}

// A lock whose execution ended, or that this installation's store does not
// hold a minute after it was taken, is stale: the next plan takes it. One
// of another installation is never this one's to judge.
func TestAStaleLockIsTakenOverAndAnotherInstallationsIsNot(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		holder func(a *accepting) *v1alpha1.ActiveExecution
		taken  bool
	}{
		"its execution ended": {taken: true, holder: func(a *accepting) *v1alpha1.ActiveExecution {
			a.storeExecution("exec-old", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED)
			return &v1alpha1.ActiveExecution{PlanID: "plan-old", ExecutionID: "exec-old", Installation: DefaultInstallation,
				StartTime: metav1.NewTime(a.clock.Now())}
		}},
		"its execution is gone": {taken: true, holder: func(a *accepting) *v1alpha1.ActiveExecution {
			return &v1alpha1.ActiveExecution{PlanID: "plan-old", ExecutionID: "exec-old", Installation: DefaultInstallation,
				StartTime: metav1.NewTime(a.clock.Now().Add(-2 * lockGrace))}
		}},
		"its execution is not stored yet": {holder: func(a *accepting) *v1alpha1.ActiveExecution {
			return &v1alpha1.ActiveExecution{PlanID: "plan-old", ExecutionID: "exec-old", Installation: DefaultInstallation,
				StartTime: metav1.NewTime(a.clock.Now())}
		}},
		"its execution runs": {holder: func(a *accepting) *v1alpha1.ActiveExecution {
			a.storeExecution("exec-old", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED)
			return &v1alpha1.ActiveExecution{PlanID: "plan-old", ExecutionID: "exec-old", Installation: DefaultInstallation,
				StartTime: metav1.NewTime(a.clock.Now())}
		}},
		"another installation's": {holder: func(a *accepting) *v1alpha1.ActiveExecution {
			return &v1alpha1.ActiveExecution{PlanID: "plan-old", ExecutionID: "exec-old", Installation: "staging",
				StartTime: metav1.NewTime(a.clock.Now().Add(-24 * time.Hour))}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAccepting(t)
			holder := tc.holder(a)
			ng := a.group(t)
			ng.Status.ActiveExecution = holder
			_, err := a.groups.NodeGroups("shop").UpdateStatus(t.Context(), ng, metav1.UpdateOptions{})
			require.NoError(t, err)

			plan := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval = true })
			_, err = a.e.Execute(t.Context(), plan, "test")
			if tc.taken {
				require.NoError(t, err)
				require.Equal(t, plan.GetPlanId(), a.group(t).Status.ActiveExecution.PlanID)
				return
			}
			r, ok := accept.AsRefusal(err)
			require.True(t, ok, "refused: %v", err)
			require.Equal(t, accept.RuleOneAtATime, r.Rule)
			require.Equal(t, holder.PlanID, a.group(t).Status.ActiveExecution.PlanID)
		})
	}
}

func (a *accepting) storeExecution(id string, s rebalancerv1.ExecutionStatus) {
	_, err := a.e.deps.Store.Create(a.t.Context(), &store.Record{Plan: a.plan, State: &rebalancerv1.ExecutionState{ExecutionId: id, Status: s}})
	require.NoError(a.t, err)
}

// The sweep clears the locks of executions that ended or are gone, and
// leaves the others.
func TestTheSweepReleasesOnlyStaleLocks(t *testing.T) {
	t.Parallel()
	a := newAccepting(t)
	a.storeExecution("exec-done", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK)
	a.storeExecution("exec-live", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING)
	now := metav1.NewTime(a.clock.Now())
	for name, holder := range map[string]*v1alpha1.ActiveExecution{
		"done":      {PlanID: "p1", ExecutionID: "exec-done", Installation: DefaultInstallation, StartTime: now},
		"live":      {PlanID: "p2", ExecutionID: "exec-live", Installation: DefaultInstallation, StartTime: now},
		"gone":      {PlanID: "p3", ExecutionID: "exec-gone", Installation: DefaultInstallation, StartTime: metav1.NewTime(now.Add(-time.Hour))},
		"elsewhere": {PlanID: "p4", ExecutionID: "exec-done", Installation: "staging", StartTime: now},
	} {
		ng := webGroup(nil)
		ng.Namespace, ng.UID = name, types.UID("uid-"+name)
		ng.Status.ActiveExecution = holder
		_, err := a.groups.NodeGroups(name).Create(t.Context(), ng, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, a.e.sweepLocks(t.Context()))
	held := func(ns string) bool {
		ng, err := a.groups.NodeGroups(ns).Get(t.Context(), "web", metav1.GetOptions{})
		require.NoError(t, err)
		return ng.Status.ActiveExecution != nil
	}
	require.False(t, held("done"))
	require.False(t, held("gone"))
	require.True(t, held("live"))
	require.True(t, held("elsewhere"))
}

// Two executors take a free lock at once: the status write carries the
// resourceVersion read, so the one that writes second conflicts, reads
// the winner, and is refused (here the other wins just before our write).
func TestOfTwoTakingAFreeLockAtOnceOneIsRefused(t *testing.T) {
	t.Parallel()
	a := newAccepting(t)
	var once sync.Once
	a.groups.PrependReactor("update", "nodegroups", func(action clienttesting.Action) (bool, runtime.Object, error) {
		if action.GetSubresource() != "status" {
			return false, nil, nil
		}
		handled := false
		once.Do(func() {
			obj, err := a.groups.Tracker().Get(v1alpha1.NodeGroupResource, "shop", "web")
			require.NoError(t, err)
			ng := obj.(*v1alpha1.NodeGroup).DeepCopy()
			ng.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: "plan-other", ExecutionID: "exec-other",
				Installation: "staging", StartTime: metav1.NewTime(a.clock.Now())}
			require.NoError(t, a.groups.Tracker().Update(v1alpha1.NodeGroupResource, ng, "shop"))
			handled = true
		})
		if handled {
			return true, nil, apierrors.NewConflict(v1alpha1.NodeGroupResource.GroupResource(), "web", errors.New("the object has been modified"))
		}
		return false, nil, nil
	})
	plan := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval = true })
	_, err := a.e.Execute(t.Context(), plan, "test")
	r, ok := accept.AsRefusal(err)
	require.True(t, ok, "refused: %v", err)
	require.Equal(t, accept.RuleOneAtATime, r.Rule)
	require.Contains(t, r.Reason, "exec-other (installation staging)")
	_, err = a.e.deps.Store.Get(t.Context(), naming.ExecutionID(plan.GetPlanId()))
	require.ErrorIs(t, err, store.ErrNotFound)
}

// A group that asks for a second person refuses the requester's own
// approval, writing nothing, and takes another's; a group that does not
// ask takes anyone's.
func TestTheRequestersOwnApprovalNeedsAGroupThatAllowsIt(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		distinct bool
		approver string
		refused  bool
	}{
		"a second person, by another":      {distinct: true, approver: "bob"},
		"a second person, by the same one": {distinct: true, approver: "alice", refused: true},
		"anyone, by the same one":          {distinct: false, approver: "alice"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAccepting(t)
			a.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.RequireDistinctApprover = tc.distinct })
			plan := a.resealed(func(p *rebalancerv1.RebalancePlan) { p.RequiresApproval = true })
			st, err := a.e.Execute(t.Context(), plan, "alice")
			require.NoError(t, err)
			before, err := a.e.deps.Store.Get(t.Context(), st.GetExecutionId())
			require.NoError(t, err)
			require.Equal(t, "alice", before.RequestedBy)

			approved, err := a.e.Approve(t.Context(), st.GetExecutionId(), tc.approver)
			if !tc.refused {
				require.NoError(t, err)
				require.Equal(t, tc.approver, approved.GetApprovedBy())
				return
			}
			r, ok := accept.AsRefusal(err)
			require.True(t, ok, "refused: %v", err)
			require.Equal(t, accept.RuleDistinctApprover, r.Rule)
			require.Contains(t, r.Reason, "alice requested this execution")
			after, err := a.e.deps.Store.Get(t.Context(), st.GetExecutionId())
			require.NoError(t, err)
			require.Equal(t, before.Revision, after.Revision, "a refused approval writes nothing")
		})
	}
}
