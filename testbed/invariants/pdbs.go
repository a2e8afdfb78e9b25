package invariants

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/cache"

	"github.com/vpsie/node-rebalancer/libs/kube"
)

// pdbSeen remembers every pod a budget recorded as disrupted: the Eviction
// API writes the pod into status.disruptedPods before it deletes it, so a
// pod of a covered workload that leaves without appearing there left
// without the budget's consent.
func (m *Monitor) pdbSeen(obj any) {
	pdb, ok := obj.(*policyv1.PodDisruptionBudget)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for pod := range pdb.Status.DisruptedPods {
		m.disrupted[pdb.Namespace+"/"+pod] = true
	}
}

func (m *Monitor) podUpdated(oldObj, newObj any) {
	before, ok1 := oldObj.(*corev1.Pod)
	after, ok2 := newObj.(*corev1.Pod)
	if ok1 && ok2 && before.DeletionTimestamp == nil && after.DeletionTimestamp != nil {
		m.podLeaving(after)
	}
}

func (m *Monitor) podDeleted(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if pod, ok := obj.(*corev1.Pod); ok && pod.DeletionTimestamp == nil {
		m.podLeaving(pod) // deleted without a grace period: seen only now
	}
}

// podLeaving checks, after a grace for the budget's record to arrive, that
// a pod covered by a PDB left through the Eviction API, was forced on
// purpose, or was removed by its own controller while every budget
// covering it kept its desired healthy pods without it.
//
// The last is a rollout (or a scale-down) that surged first: budgets
// limit voluntary disruptions through the Eviction API, not a workload
// controller replacing its own pods, and a Deployment that starts the new
// pod and waits until it is available before deleting the old one never
// takes the workload below its budget. The executor moves single-replica
// Deployments that way. It is told apart from a pod deleted past its
// budget by two facts taken when the pod left: its ReplicaSet or
// StatefulSet wanted fewer pods than it had (or is gone), and the
// budgets' other healthy pods still numbered at least what each wants.
// A controller that takes a workload below its budget (a rollout that
// deletes before it creates) is still a violation.
func (m *Monitor) podLeaving(pod *corev1.Pod) {
	covering := m.covering(pod)
	if len(covering) == 0 || !kube.PodReady(pod) {
		// A pod not Ready is no healthy pod of its budget: the Eviction
		// API admits it without recording a disruption, and its leaving
		// costs the budget nothing.
		return
	}
	key := pod.Namespace + "/" + pod.Name
	short := m.shortBudgets(pod, covering) // now, before later events change the caches
	owner := m.ownerOf(pod)
	m.mu.Lock()
	if m.finishing {
		m.mu.Unlock()
		return // after Finish began: outside the watched run
	}
	m.pending.Add(1)
	m.mu.Unlock()
	time.AfterFunc(m.cfg.Grace, func() {
		defer m.pending.Done()
		if m.consented(key, covering) || slices.Contains(m.cfg.Forced(), key) {
			return
		}
		scaled := m.scaledAway(owner)
		if scaled && len(short) == 0 {
			return // its controller replaced it, the budgets kept
		}
		if scaled {
			m.violate("PDB", "pod %s was deleted by its controller taking PDB %s below its desired healthy pods",
				key, strings.Join(short, ", "))
			return
		}
		m.violate("PDB", "pod %s of PDB %s was deleted without the budget's consent (not through the Eviction API, not a reported forced drain, not its controller)",
			key, strings.Join(kube.PDBNames(covering), ","))
	})
}

// consented reports whether a budget recorded the pod's eviction, in an
// event seen or in its current status.
func (m *Monitor) consented(key string, covering []*policyv1.PodDisruptionBudget) bool {
	m.mu.Lock()
	seen := m.disrupted[key]
	m.mu.Unlock()
	if seen {
		return true
	}
	_, pod, _ := strings.Cut(key, "/")
	for _, c := range covering {
		live, err := m.cfg.Client.PolicyV1().PodDisruptionBudgets(c.Namespace).Get(context.Background(), c.Name, metav1.GetOptions{})
		if err == nil {
			if _, ok := live.Status.DisruptedPods[pod]; ok {
				return true
			}
		}
	}
	return false
}

// covering lists the PDBs selecting the pod, as the Eviction API reads
// them (kube.CoveringPDBs).
func (m *Monitor) covering(pod *corev1.Pod) []*policyv1.PodDisruptionBudget {
	var pdbs []*policyv1.PodDisruptionBudget
	for _, obj := range m.pdbs.GetStore().List() {
		pdbs = append(pdbs, obj.(*policyv1.PodDisruptionBudget))
	}
	return kube.CoveringPDBs(pdbs, pod)
}

// shortBudgets names the budgets covering pod that, without it, have fewer
// healthy pods (Ready, not being deleted, as the disruption controller
// counts them) than they want, as "namespace/name (h of d)".
func (m *Monitor) shortBudgets(pod *corev1.Pod, covering []*policyv1.PodDisruptionBudget) []string {
	var short []string
	for _, pdb := range covering {
		sel := kube.CompilePDB(pdb)
		healthy := int32(0)
		for _, obj := range m.pods.GetStore().List() {
			p := obj.(*corev1.Pod)
			if p.Name != pod.Name && p.DeletionTimestamp == nil && kube.PodReady(p) && sel.Selects(p) {
				healthy++
			}
		}
		if want := desiredHealthy(pdb); healthy < want {
			short = append(short, fmt.Sprintf("%s/%s (%d healthy of %d)", pdb.Namespace, pdb.Name, healthy, want))
		}
	}
	return short
}

// desiredHealthy is what the disruption controller computed, or at least
// an integer minAvailable when its status lags behind the spec.
func desiredHealthy(pdb *policyv1.PodDisruptionBudget) int32 {
	want := pdb.Status.DesiredHealthy
	if ma := pdb.Spec.MinAvailable; ma != nil && ma.Type == intstr.Int {
		want = max(want, ma.IntVal)
	}
	return want
}

// leaver is the controller of a pod that left, and how many pods it had
// then, the leaving one included.
type leaver struct {
	kube.Workload
	pods int32
}

func (m *Monitor) ownerOf(pod *corev1.Pod) leaver {
	w := kube.Controller(pod)
	if w.Kind == "" {
		return leaver{}
	}
	l := leaver{Workload: w}
	for _, obj := range m.pods.GetStore().List() {
		p := obj.(*corev1.Pod)
		if kube.Controller(p) == w && (p.DeletionTimestamp == nil || p.Name == pod.Name) {
			l.pods++
		}
	}
	if l.pods == 0 {
		l.pods = 1 // deleted without a grace period: gone from the cache already
	}
	return l
}

// scaledAway reports whether the pod's controller itself removed it: its
// ReplicaSet or StatefulSet now wants fewer pods than it had when the pod
// left, or is gone (its pods follow it).
func (m *Monitor) scaledAway(l leaver) bool {
	apps := m.cfg.Client.AppsV1()
	var want *int32
	switch l.Kind {
	case "ReplicaSet":
		rs, err := apps.ReplicaSets(l.Namespace).Get(context.Background(), l.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true
		}
		if err != nil {
			return false
		}
		want = rs.Spec.Replicas
	case "StatefulSet":
		sts, err := apps.StatefulSets(l.Namespace).Get(context.Background(), l.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true
		}
		if err != nil {
			return false
		}
		want = sts.Spec.Replicas
	default:
		return false
	}
	return kube.DesiredReplicas(want) < l.pods
}
