package nodestep

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/kube"
)

// The pods of a drain whose eviction was refused, and the budgets that
// wake their retry (drain.go).

// setRefused records whether pod's eviction was refused.
func (d *drainer) setRefused(pod *corev1.Pod, refused bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if refused {
		d.retrying[pod.UID] = pod.DeepCopy()
	} else {
		delete(d.retrying, pod.UID)
	}
}

func (d *drainer) wasRefused(pod *corev1.Pod) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.retrying[pod.UID] != nil
}

func (d *drainer) anyRefused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.retrying) > 0
}

// keepRefused forgets the refused pods no longer among pods.
func (d *drainer) keepRefused(pods []corev1.Pod) {
	here := make(map[types.UID]bool, len(pods))
	for i := range pods {
		here[pods[i].UID] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for uid := range d.retrying {
		if !here[uid] {
			delete(d.retrying, uid)
		}
	}
}

// allowsRefused matches a budget that allows a disruption and covers a pod
// refused: its retry need not wait for the backoff.
func (d *drainer) allowsRefused(obj any) bool {
	pdb, ok := obj.(*policyv1.PodDisruptionBudget)
	if !ok || pdb.Status.DisruptionsAllowed <= 0 {
		return false
	}
	sel := kube.CompilePDB(pdb)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, pod := range d.retrying {
		if sel.Selects(pod) {
			return true
		}
	}
	return false
}

// allowance is, over the caches, what is left in one round of the
// disruptions each budget ("namespace/name") allows: a refused pod is
// asked again only within it, since asking more would be refused again
// (a budget allowing one disruption woke the retry of all its pods). A
// cache behind the API server costs a round: the budget's next change
// wakes the drain again. Over a live Kube it is nil and every refused pod
// is asked again when the backoff is due, as the budgets cannot be read
// for free.
type allowance map[string]int32

// newAllowance is an empty allowance over the caches, nil over a live Kube.
func (d *drainer) newAllowance(w *waker) allowance {
	if !w.events() {
		return nil
	}
	return allowance{}
}

// mayRetry says whether pod's eviction may be asked again this round, and
// takes its disruption from each budget covering it.
func (a allowance) mayRetry(ctx context.Context, k Kube, pod *corev1.Pod) bool {
	if a == nil {
		return true
	}
	pdbs, err := k.PDBs(ctx, pod.Namespace)
	if err != nil {
		return true // the API server will say
	}
	covering := kube.CoveringPDBs(pdbs, pod)
	for _, p := range covering {
		name := p.Namespace + "/" + p.Name
		if _, ok := a[name]; !ok {
			a[name] = p.Status.DisruptionsAllowed
		}
		if a[name] <= 0 {
			return false
		}
	}
	for _, p := range covering {
		a[p.Namespace+"/"+p.Name]--
	}
	return true
}
