package binpack

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// hostname is the one topology key modelled. Every node carries its own
// value (the kubelet sets it), so each node is a domain of its own.
const hostname = corev1.LabelHostname

// podSet is the pods a rule names: those of namespaces (of every namespace
// when anyNamespace) whose labels match selector.
type podSet struct {
	namespaces   []string // sorted
	anyNamespace bool
	selector     labels.Selector
}

// key identifies the set, so that the replicas of a workload, which all
// carry the same rule, share one count.
func (s podSet) key() string {
	ns := strings.Join(s.namespaces, ",")
	if s.anyNamespace {
		ns = "*"
	}
	return ns + "|" + s.selector.String()
}

// describe names the set in a message, its namespaces only when they are
// not just the pod's own.
func (s podSet) describe(ownNamespace string) string {
	switch {
	case s.anyNamespace:
		return s.selector.String() + " in every namespace"
	case len(s.namespaces) == 1 && s.namespaces[0] == ownNamespace:
		return s.selector.String()
	default:
		return s.selector.String() + " in namespaces " + strings.Join(s.namespaces, ", ")
	}
}

// termSet is the pods a pod (anti-)affinity term of pod names, as the
// scheduler reads it: the term's namespaces, or the pod's own when the
// term lists none and has no namespaceSelector. The Analyzer does not
// watch namespaces, so a namespaceSelector reads as every namespace: for
// anti-affinity that keeps more pods apart than the scheduler would (a
// failure may be too strict, a pass is not); for affinity it may count a
// pod to join that the scheduler would not. ok is false for a selector
// the API server would have refused.
func termSet(pod *corev1.Pod, term *corev1.PodAffinityTerm) (podSet, bool) {
	sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
	if err != nil {
		return podSet{}, false
	}
	s := podSet{selector: sel}
	switch {
	case term.NamespaceSelector != nil:
		s.anyNamespace = true
	case len(term.Namespaces) > 0:
		s.namespaces = slices.Compact(slices.Sorted(slices.Values(term.Namespaces)))
	default:
		s.namespaces = []string{pod.Namespace}
	}
	return s, true
}

// spreadSet is the pods a topology spread constraint of pod counts: those
// of the pod's namespace matching its labelSelector, narrowed by the pod's
// own values of matchLabelKeys (the API server has usually merged them
// into the selector already; merging again changes nothing).
func spreadSet(pod *corev1.Pod, c *corev1.TopologySpreadConstraint) (podSet, bool) {
	sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
	if err != nil {
		return podSet{}, false
	}
	for _, key := range c.MatchLabelKeys {
		if value, ok := pod.Labels[key]; ok {
			if req, err := labels.NewRequirement(key, selection.Equals, []string{value}); err == nil {
				sel = sel.Add(*req)
			}
		}
	}
	return podSet{namespaces: []string{pod.Namespace}, selector: sel}, true
}

// spread is a DoNotSchedule topology spread constraint on hostname.
type spread struct {
	set        int
	maxSkew    int
	minDomains int
	// selfMatch: the pod is in its own set, so placing it adds one.
	selfMatch bool
	// honourAffinity, honourTaints: which nodes count as domains for the
	// global minimum (nodeAffinityPolicy, nodeTaintsPolicy).
	honourAffinity, honourTaints bool
}

func newSpread(set int, c *corev1.TopologySpreadConstraint) spread {
	sp := spread{set: set, maxSkew: int(c.MaxSkew), minDomains: 1,
		// The scheduler's defaults: Honor node affinity, Ignore taints.
		honourAffinity: c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor,
		honourTaints:   c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor,
	}
	if c.MinDomains != nil {
		sp.minDomains = int(*c.MinDomains)
	}
	return sp
}

// rules are the rules between pods one pod brings, as indexes of sets in
// a topology.
type rules struct {
	pod *corev1.Pod
	// antiAffinity: no pod of these sets may share the pod's node.
	antiAffinity []int
	// affinity: the pod's node must run a pod of each of these sets.
	affinity []int
	spread   []spread
	// memberOf are the sets the pod is in, whatever their rules.
	memberOf []int
}

func requiredAntiAffinity(p *corev1.Pod) []corev1.PodAffinityTerm {
	if a := p.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		return a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

func requiredAffinity(p *corev1.Pod) []corev1.PodAffinityTerm {
	if a := p.Spec.Affinity; a != nil && a.PodAffinity != nil {
		return a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

func onHostname(t corev1.PodAffinityTerm) bool { return t.TopologyKey == hostname }

// keepsSpread: a spread the packing keeps, DoNotSchedule on hostname.
// ScheduleAnyway is a preference.
func keepsSpread(c corev1.TopologySpreadConstraint) bool {
	return c.TopologyKey == hostname && c.WhenUnsatisfiable == corev1.DoNotSchedule
}

// followsOthers reports whether the pod must join pods on their node, so
// it is placed after them.
func followsOthers(p *corev1.Pod) bool { return slices.ContainsFunc(requiredAffinity(p), onHostname) }
