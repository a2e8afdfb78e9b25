package checks_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// pdb returns the fixture's budget, to change.
func (f *fixture) pdb() *policyv1.PodDisruptionBudget {
	for _, o := range f.objects {
		if p, ok := o.(*policyv1.PodDisruptionBudget); ok {
			return p
		}
	}
	panic("no PDB")
}

// pod returns the fixture's pod on node, to change.
func (f *fixture) pod(node string) *corev1.Pod {
	for _, o := range f.objects {
		if p, ok := o.(*corev1.Pod); ok && p.Spec.NodeName == node {
			return p
		}
	}
	panic("no pod on " + node)
}

func (f *fixture) add(objects ...runtime.Object) { f.objects = append(f.objects, objects...) }

func TestPodDisruptionBudgets(t *testing.T) {
	t.Parallel()
	intOrString := func(v intstr.IntOrString) *intstr.IntOrString { return &v }
	runCases(t, map[string]testCase{
		"a budget allowing no disruption now blocks the nodes of its pods": {
			edit: func(f *fixture) { f.pdb().Status.DisruptionsAllowed = 0 },
			want: want{check: checks.NameDisruptionsAllowed, status: failed, wait: true, blocked: "web-0,web-1,web-2",
				contains: []string{"PDB shop/api allows 0 disruptions (3 healthy, 2 desired, 3 expected), and selects pod shop/api-5d8f9c-0 on web-0"}},
		},
		"a budget its controller has not computed yet": {
			edit: func(f *fixture) { f.pdb().Generation = 2 },
			want: want{check: checks.NameDisruptionsAllowed, status: failed, wait: true, blocked: "web-0,web-1,web-2",
				contains: []string{"PDB shop/api is not yet observed by the disruption controller"}},
		},
		"a budget selecting no pod to move": {
			edit: func(f *fixture) {
				f.pdb().Status.DisruptionsAllowed = 0
				f.pdb().Spec.Selector.MatchLabels = map[string]string{"app": "other"}
			},
			want: want{check: checks.NameDisruptionsAllowed, status: passed},
		},
		"a policy that does not respect budgets only warns": {
			edit: func(f *fixture) {
				f.pdb().Status.DisruptionsAllowed = 0
				f.group.Spec.Rebalancing.RespectPDBs = ptr.To(false)
			},
			want: want{check: checks.NameDisruptionsAllowed, status: warning,
				contains: []string{"the policy does not respect PDBs", "PDB shop/api allows 0 disruptions"}},
		},
		"maxUnavailable 0 can never allow an eviction": {
			edit: func(f *fixture) {
				f.pdb().Spec.MinAvailable, f.pdb().Spec.MaxUnavailable = nil, intOrString(intstr.FromInt32(0))
			},
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-0,web-1,web-2",
				contains: []string{"PDB shop/api can never allow an eviction (maxUnavailable 0)"}},
		},
		"maxUnavailable 0% can never allow an eviction": {
			edit: func(f *fixture) {
				f.pdb().Spec.MinAvailable, f.pdb().Spec.MaxUnavailable = nil, intOrString(intstr.FromString("0%"))
			},
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-0,web-1,web-2", contains: []string{"(maxUnavailable 0%)"}},
		},
		"minAvailable as many as the expected pods": {
			edit: func(f *fixture) { f.pdb().Spec.MinAvailable = intOrString(intstr.FromInt32(3)) },
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-0,web-1,web-2",
				contains: []string{"(minAvailable 3 of 3 expected pods)"}},
		},
		"minAvailable 100%": {
			edit: func(f *fixture) { f.pdb().Spec.MinAvailable = intOrString(intstr.FromString("100%")) },
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-0,web-1,web-2", contains: []string{"(minAvailable 100%)"}},
		},
		"maxUnavailable 1 leaves room": {
			edit: func(f *fixture) {
				f.pdb().Spec.MinAvailable, f.pdb().Spec.MaxUnavailable = nil, intOrString(intstr.FromInt32(1))
			},
			want: want{check: checks.NameFullyBlocking, status: passed},
		},
		"two budgets select the same pods": {
			edit: func(f *fixture) { f.add(testobj.PDB("shop", "api-strict", "api", 3, 1)) },
			want: want{check: checks.NameMultipleBudgets, status: failed, blocked: "web-0,web-1,web-2",
				contains: []string{"pod shop/api-5d8f9c-0 on web-0 is selected by 2 PDBs (api, api-strict), and the Eviction API refuses to evict it"}},
		},
	})
}

func TestWorkloads(t *testing.T) {
	t.Parallel()
	emptyDir := corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	runCases(t, map[string]testCase{
		"a bare pod": {
			edit: func(f *fixture) { f.add(testobj.Pod("shop", "bare", "web-2")) },
			want: want{check: checks.NameUnreplicated, status: failed, blocked: "web-2",
				contains: []string{"pod shop/bare on web-2 has no controller: evicting it deletes it for good"}},
		},
		"a pod opted out of disruption": {
			edit: func(f *fixture) {
				f.pod("web-1").Annotations = map[string]string{v1alpha1.AnnotationDoNotDisrupt: "true"}
			},
			want: want{check: checks.NameOptedOut, status: failed, blocked: "web-1",
				contains: []string{"on web-1 opts out of disruption (autoscaler.vpsie.io/do-not-disrupt=true)"}},
		},
		"a pod with an emptyDir when the policy skips such nodes": {
			edit: func(f *fixture) { f.pod("web-0").Spec.Volumes = []corev1.Volume{emptyDir} },
			want: want{check: checks.NameLocalStorage, status: failed, blocked: "web-0",
				contains: []string{"the policy skips nodes with local storage: pod shop/api-5d8f9c-0 on web-0 keeps data on the node (emptyDir \"scratch\")"}},
		},
		"a pod with an emptyDir when the policy lets it go": {
			edit: func(f *fixture) {
				f.pod("web-0").Spec.Volumes = []corev1.Volume{emptyDir}
				f.group.Spec.Rebalancing.SkipNodesWithLocalStorage = ptr.To(false)
			},
			want: want{check: checks.NameLocalStorage, status: warning, contains: []string{"emptyDir \"scratch\"), lost when it moves"}},
		},
		"a DaemonSet pod's hostPath is not the node's workloads' storage": {
			edit: func(f *fixture) {
				agent := testobj.OwnedBy(testobj.Pod("kube-system", "agent", "web-0"), "DaemonSet", "agent")
				agent.Spec.Volumes = []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{
					HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
				f.add(agent)
			},
			want: want{check: checks.NameLocalStorage, status: passed},
		},
	})
}
