package nodestep

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/vpsie/node-rebalancer/libs/kube"
)

// Regression is what a soak found wrong: the workload (or the health
// query) and what it showed. It fails the soaking node, and the execution
// rolls back with it as the reason.
type Regression struct {
	// Subject is "Deployment/shop/web", or the query.
	Subject string
	// What is what was seen: "pod web-1 container app in CrashLoopBackOff",
	// "2 of 3 replicas available after the soak", "value 0.4 above 0.05".
	What string
}

func (g *Regression) String() string { return g.Subject + ": " + g.What }

// workloadRegression judges one moved workload during a soak that began
// at since: a pod crash-looping, or a container that restarted since then,
// is a regression at once; at the soak's end (final) so is a pod not
// Ready or replicas not all available. Workloads this code cannot read
// pods of (Jobs, custom controllers) and workloads gone are not judged.
func (r *Runner) workloadRegression(ctx context.Context, owner string, since time.Time, final bool) (*Regression, error) {
	w := parseWorkload(owner)
	selector, subject, ok, err := r.selectorOf(ctx, w)
	if err != nil || !ok {
		return nil, err
	}
	pods, err := r.env.Kube.PodsMatching(ctx, w.Namespace, selector)
	if err != nil {
		return nil, err
	}
	for i := range pods {
		if what := podRegression(&pods[i], since, final); what != "" {
			return &Regression{Subject: subject, What: what}, nil
		}
	}
	if !final {
		return nil, nil
	}
	available, err := r.available(ctx, w)
	if err != nil || available {
		return nil, err
	}
	return &Regression{Subject: subject, What: "replicas not all available at the end of the soak"}, nil
}

// selectorOf is the label selector of a workload's pods, and the
// workload as an operator knows it (a ReplicaSet's Deployment); ok is
// false for a kind without one here, or a workload gone.
func (r *Runner) selectorOf(ctx context.Context, w kube.Workload) (sel labels.Selector, subject string, ok bool, err error) {
	var ls *metav1.LabelSelector
	subject = w.String()
	k := r.env.Kube
	switch w.Kind {
	case "ReplicaSet":
		rs, e := k.GetReplicaSet(ctx, w.Namespace, w.Name)
		if err = e; err == nil {
			ls = rs.Spec.Selector
			if d := kube.Controller(rs); d.Kind == "Deployment" {
				subject = d.String()
			}
		}
	case "Deployment":
		d, e := k.GetDeployment(ctx, w.Namespace, w.Name)
		if err = e; err == nil {
			ls = d.Spec.Selector
		}
	case "StatefulSet":
		s, e := k.GetStatefulSet(ctx, w.Namespace, w.Name)
		if err = e; err == nil {
			ls = s.Spec.Selector
		}
	default:
		return nil, "", false, nil
	}
	if apierrors.IsNotFound(err) {
		return nil, "", false, nil // gone: nothing left to judge
	}
	if err != nil || ls == nil {
		return nil, "", false, err
	}
	if sel, err = metav1.LabelSelectorAsSelector(ls); err != nil || sel.Empty() {
		return nil, "", false, err // an empty selector would match every pod of the namespace
	}
	return sel, subject, true, nil
}

// podRegression says what is wrong with a moved workload's pod, "" when
// nothing: a container in CrashLoopBackOff, one that restarted since the
// soak began, or, at its end, the pod not Ready. A pod being deleted is
// on its way out and not judged.
func podRegression(p *corev1.Pod, since time.Time, final bool) string {
	if p.DeletionTimestamp != nil {
		return ""
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			return fmt.Sprintf("pod %s container %s in CrashLoopBackOff (%d restarts)", p.Name, cs.Name, cs.RestartCount)
		}
		if t := cs.LastTerminationState.Terminated; t != nil && !t.FinishedAt.Time.Before(since) {
			return fmt.Sprintf("pod %s container %s restarted during the soak (exit code %d, %d restarts)", p.Name, cs.Name, t.ExitCode, cs.RestartCount)
		}
	}
	if final && !kube.PodReady(p) {
		return fmt.Sprintf("pod %s not Ready at the end of the soak", p.Name)
	}
	return ""
}
