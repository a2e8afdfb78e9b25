package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

const (
	pass = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED
	warn = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING
	fail = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED
)

// familyCase is one check of one family on a fresh group of two nodes
// running a Deployment "web" of two replicas (unless workloads says
// otherwise), analysed for compute-4 (unless target says otherwise).
type familyCase struct {
	policy    v1alpha1.RebalancingPolicy
	workloads func(ns, group string) fixtures.Workloads
	// prepare changes the cluster once the workloads run.
	prepare func(t *testing.T, ns, group string, nodes []string)
	target  string
	claimed int64
	// limits, when set, get the case an Analyzer of its own.
	limits *checks.Limits
	check  string
	status rebalancerv1.SafetyCheckStatus
	// names are what the message must name, given the case's objects;
	// every case has some, so no case passes on the status alone.
	names func(ns, group string, nodes []string) []string
	// unsafe, when set, are the candidates the analysis must find not safe
	// to rebalance, given the case's namespace; every other one is safe.
	unsafe func(t *testing.T, ns string) []string
}

func web(ns, group string) fixtures.Workloads {
	return fixtures.Workloads{Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "web", group, 2)}}
}

// oneWebPerNode is web with required anti-affinity on the hostname: the
// scheduler puts no two replicas on one node.
func oneWebPerNode(ns, group string) fixtures.Workloads {
	w := web(ns, group)
	w.Deployments[0].Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{fixtures.LabelApp: "web"}},
			TopologyKey:   corev1.LabelHostname,
		}},
	}}
	return w
}

// hhmm is t's wall-clock time in UTC, as the policy's windows write it.
func hhmm(t time.Time) string { return t.UTC().Format("15:04") }

// TestEveryCheckFamilyPassesWarnsAndFailsInTheSandbox drives each family
// to each outcome it has through real objects, and asserts the message
// names the blocker. Cluster health and timing have no warning outcome:
// their checks only pass or fail.
func TestEveryCheckFamilyPassesWarnsAndFailsInTheSandbox(t *testing.T) {
	t.Parallel()
	shared := startRig(t, nil).serving(t)
	now := shared.clock.Now()
	sb := sandboxtest.Shared()
	cases := map[string]familyCase{
		"cluster health passes: the API server answers": {
			check: checks.NameAPIServer, status: pass,
			names: func(string, string, []string) []string { return []string{"/readyz"} },
		},
		"cluster health fails: a node never became Ready": {
			limits: &checks.Limits{MaxUnreadyPercent: 0, ScaleUpCooldown: 10 * time.Minute, MaxCatalogueAge: 15 * time.Minute},
			prepare: func(t *testing.T, ns, _ string, _ []string) {
				// Without kwok's annotation no one reports the node Ready. Its
				// name sorts first, so the message names it before others.
				node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "0-unready-" + ns}}
				_, err := sb.Client.CoreV1().Nodes().Create(t.Context(), node, metav1.CreateOptions{})
				require.NoError(t, err)
				t.Cleanup(func() { // the test's context is gone by now
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					require.NoError(t, sb.Client.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{}))
				})
			},
			check: checks.NameUnreadyNodes, status: fail,
			names: func(ns string, _ string, _ []string) []string {
				return []string{"over the 0% limit", "0-unready-" + ns}
			},
		},
		"node group health passes: every node is a candidate": {
			check: checks.NameCandidates, status: pass,
			names: func(string, string, []string) []string { return []string{"all 2 nodes are candidates"} },
		},
		"node group health warns: a cordoned member": {
			prepare: func(t *testing.T, _, _ string, nodes []string) {
				patchNode(t, sb, nodes[1], `{"spec":{"unschedulable":true}}`)
			},
			check: checks.NameDraining, status: warn,
			names: func(_, _ string, nodes []string) []string { return []string{"cordoned nodes", nodes[1]} },
		},
		"node group health fails: every member opted out": {
			prepare: func(t *testing.T, _, _ string, nodes []string) {
				for _, n := range nodes {
					patchNode(t, sb, n, fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, v1alpha1.AnnotationDoNotDisrupt))
				}
			},
			check: checks.NameCandidates, status: fail,
			names: func(ns, group string, nodes []string) []string {
				return []string{"no node of group " + ns + "/" + group + " is a candidate", nodes[0], nodes[1]}
			},
		},
		"PDBs pass: a budget allowing one disruption": {
			workloads: func(ns, group string) fixtures.Workloads {
				w := web(ns, group)
				w.PDBs = []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(ns, "web", 1)}
				return w
			},
			check: checks.NameFullyBlocking, status: pass,
			names: func(string, string, []string) []string {
				return []string{"no budget of the pods to move blocks every eviction"}
			},
		},
		"PDBs pass: a single replica that a surging rollout moves stays up": {
			workloads: func(ns, group string) fixtures.Workloads {
				return fixtures.Workloads{Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "solo", group, 1)}}
			},
			check: checks.NameSingleReplica, status: pass,
			names: func(ns, _ string, _ []string) []string {
				return []string{"every single replica to move stays up: Deployment " + ns + "/solo runs 1 replica", "moves by a surging rollout"}
			},
		},
		"PDBs warn: a single replica that restarts by Recreate is down while it moves": {
			workloads: func(ns, group string) fixtures.Workloads {
				solo := fixtures.Deployment(ns, "solo", group, 1)
				solo.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
				return fixtures.Workloads{Deployments: []*appsv1.Deployment{solo}}
			},
			check: checks.NameSingleReplica, status: warn,
			names: func(ns, _ string, _ []string) []string {
				return []string{"Deployment " + ns + "/solo runs 1 replica",
					"is down while it moves (evicted, not rolled out: its Deployment's strategy is Recreate)"}
			},
		},
		"PDBs pass: a single replica under minAvailable 1 moves by a surging rollout": {
			workloads: soloUnderMinAvailable1,
			check:     checks.NameFullyBlocking, status: pass,
			names: func(ns, _ string, _ []string) []string {
				return []string{"no budget of the pods to move blocks every eviction",
					"moved by a surging rollout instead of an eviction", ns + "/solo-"}
			},
			unsafe: func(*testing.T, string) []string { return nil },
		},
		"PDBs fail: a single replica under minAvailable 1 when the policy does not roll out": {
			policy:    v1alpha1.RebalancingPolicy{RolloutSingleReplicaDeployments: ptr.To(false)},
			workloads: soloUnderMinAvailable1,
			check:     checks.NameFullyBlocking, status: fail,
			names: func(ns, _ string, _ []string) []string {
				return []string{"PDB " + ns + "/solo can never allow an eviction (minAvailable 1 of 1 expected pods)", "selects pod " + ns + "/solo-"}
			},
			unsafe: func(t *testing.T, ns string) []string { return nodesRunning(t, sb, ns, "solo") },
		},
		"PDBs fail: a budget allowing no disruption ever": {
			workloads: func(ns, group string) fixtures.Workloads {
				w := web(ns, group)
				w.PDBs = []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(ns, "web", 0)}
				return w
			},
			check: checks.NameFullyBlocking, status: fail,
			names: func(ns, _ string, _ []string) []string {
				return []string{"PDB " + ns + "/web can never allow an eviction (maxUnavailable 0)", "selects pod " + ns + "/web-"}
			},
		},
		"resources pass: the pods fit the new nodes": {
			check: checks.NameFit, status: pass,
			names: func(string, string, []string) []string {
				return []string{"fit on the 0 staying and 2 new compute-4 nodes"}
			},
		},
		"resources pass: replicas kept one per node fit one per new node": {
			workloads: oneWebPerNode,
			check:     checks.NameFit, status: pass,
			names: func(string, string, []string) []string {
				return []string{"the 2 pods to move fit on the 0 staying and 2 new compute-4 nodes"}
			},
		},
		"resources fail: replicas kept one per node cannot share the one new node with room": {
			// A standard-2 node has 2000m: one takes "big" and nothing
			// else, so both web replicas fit by room only on the other.
			workloads: func(ns, group string) fixtures.Workloads {
				w := oneWebPerNode(ns, group)
				big := fixtures.Deployment(ns, "big", group, 1)
				big.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("1950m")
				w.Deployments = append(w.Deployments, big)
				return w
			},
			target: "standard-2", check: checks.NameFit, status: fail,
			names: func(ns, _ string, _ []string) []string {
				return []string{"pod " + ns + "/web-", "(100m CPU, 128Mi memory) has required anti-affinity on kubernetes.io/hostname " +
					"(app=web): every node with room for it already runs a matching pod, among the 0 staying and 2 new standard-2 nodes"}
			},
		},
		"resources warn: the optimizer overclaims": {
			claimed: 100_00,
			check:   checks.NameSavings, status: warn,
			names: func(string, string, []string) []string {
				return []string{"the optimizer claimed $100.00/month, catalogue prices give $48.00/month over 2 nodes"}
			},
		},
		"resources fail: the largest pod is larger than the target": {
			workloads: func(ns, group string) fixtures.Workloads {
				w := web(ns, group)
				w.Deployments[0].Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("5Gi")
				return w
			},
			target: "standard-2", check: checks.NameFit, status: fail,
			names: func(ns, _ string, _ []string) []string {
				return []string{"the largest pod must fit the target offering: pod " + ns + "/web-", "5120Mi memory"}
			},
		},
		"timing passes: outside peak hours": {
			policy: v1alpha1.RebalancingPolicy{PeakHours: []v1alpha1.TimeWindow{
				{Start: hhmm(now.Add(2 * time.Hour)), End: hhmm(now.Add(3 * time.Hour))}}},
			check: checks.NamePeakHours, status: pass,
			names: func(string, string, []string) []string { return []string{"outside peak hours at"} },
		},
		"timing fails: inside peak hours": {
			policy: v1alpha1.RebalancingPolicy{PeakHours: []v1alpha1.TimeWindow{
				{Start: hhmm(now.Add(-time.Hour)), End: hhmm(now.Add(time.Hour))}}},
			check: checks.NamePeakHours, status: fail,
			names: func(string, string, []string) []string {
				return []string{"inside peak hours every day " + hhmm(now.Add(-time.Hour)) + "-" + hhmm(now.Add(time.Hour)) + " (UTC)"}
			},
		},
		"timing fails: outside every maintenance window": {
			policy: v1alpha1.RebalancingPolicy{MaintenanceWindows: []v1alpha1.TimeWindow{
				{Start: hhmm(now.Add(2 * time.Hour)), End: hhmm(now.Add(3 * time.Hour))}}},
			check: checks.NameMaintenanceWindow, status: fail,
			names: func(string, string, []string) []string { return []string{"outside every maintenance window"} },
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := c.workloads
			if w == nil {
				w = web
			}
			ns, group, nodes := groupWith(t, 2, c.policy, w)
			if c.prepare != nil {
				c.prepare(t, ns, group, nodes)
			}
			r := shared
			if c.limits != nil {
				r = startRigWith(t, nil, *c.limits).serving(t)
			}
			target := c.target
			if target == "" {
				target = "compute-4"
			}
			a := analyzeEventually(t, r, ns, group, target, c.claimed, c.check, c.status, c.names(ns, group, nodes))
			if c.unsafe != nil {
				require.ElementsMatch(t, c.unsafe(t, ns), unsafeCandidates(a), "candidates not safe to rebalance")
			}
		})
	}
}

// soloUnderMinAvailable1 is a Deployment of one replica with the API
// server's RollingUpdate defaults (25%/25%: its rollout surges) under a
// budget that keeps that one pod available, so it never allows an eviction.
func soloUnderMinAvailable1(ns, group string) fixtures.Workloads {
	return fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "solo", group, 1)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(ns, "solo", 1)},
	}
}

// nodesRunning names the nodes the pods of workload app run on.
func nodesRunning(t *testing.T, sb *sandbox.Sandbox, ns, app string) []string {
	t.Helper()
	pods, err := sb.Client.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: fixtures.LabelApp + "=" + app})
	require.NoError(t, err)
	var out []string
	for _, p := range pods.Items {
		out = append(out, p.Spec.NodeName)
	}
	return out
}

// unsafeCandidates names the candidates not safe to rebalance.
func unsafeCandidates(a *rebalancerv1.RebalanceAnalysis) []string {
	var out []string
	for _, c := range a.GetCandidateNodes() {
		if !c.GetSafeToRebalance() {
			out = append(out, c.GetNodeName())
		}
	}
	return out
}

// analyzeEventually analyses until check reaches status with a message
// naming names: the Analyzer reads informer caches, which see the case's
// last change a moment later (a check may pass before its pods or budgets
// are cached, but not with a message naming them).
func analyzeEventually(t *testing.T, r *rig, ns, group, target string, claimed int64, check string,
	status rebalancerv1.SafetyCheckStatus, names []string) *rebalancerv1.RebalanceAnalysis {
	t.Helper()
	var a *rebalancerv1.RebalanceAnalysis
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		resp, err := r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{
			Namespace: ns, NodeGroup: group, Opportunity: &rebalancerv1.Opportunity{
				CurrentOffering: "standard-8", TargetOffering: target, ClaimedMonthlySavingsCents: claimed}})
		if !assert.NoError(c, err) {
			return
		}
		a = resp.GetAnalysis()
		for _, sc := range a.GetSafetyChecks() {
			if sc.GetName() == check {
				assert.Equal(c, status, sc.GetStatus(), sc.GetMessage())
				for _, want := range names {
					assert.Contains(c, sc.GetMessage(), want)
				}
				return
			}
		}
		assert.Failf(c, "missing check", "no check %s", check)
	}, 30*time.Second, 100*time.Millisecond)
	return a
}
