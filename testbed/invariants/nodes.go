package invariants

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/kube"
)

// checkNodes checks the floor and make before break against the node
// informer's view; it runs on every node event.
func (m *Monitor) checkNodes() {
	if !m.synced.Load() {
		return // a partial list during the first sync is no dip
	}
	var serving, readyNew, broken int
	present := map[string]*corev1.Node{}
	for _, obj := range m.nodes.GetStore().List() {
		n := obj.(*corev1.Node)
		present[n.Name] = n
		if kube.NodeServing(n) {
			serving++
		}
		if !m.isInitial(n.Name) && kube.NodeReady(n) {
			readyNew++
		}
	}
	for _, old := range m.cfg.OldNodes {
		if n, ok := present[old]; !ok || n.Spec.Unschedulable {
			broken++
		}
	}
	if serving < m.cfg.Floor {
		m.violate("capacity floor", "%d Ready, schedulable nodes in group %s, below the floor of %d", serving, m.cfg.Group, m.cfg.Floor)
	}
	switch {
	case m.cfg.BlueGreen && broken > 0 && readyNew < len(m.cfg.OldNodes):
		m.violate("make before break", "%d blue node(s) cordoned or gone with only %d of %d green nodes Ready", broken, readyNew, len(m.cfg.OldNodes))
	case !m.cfg.BlueGreen && broken > readyNew:
		m.violate("make before break", "%d old node(s) cordoned or gone with only %d Ready replacement(s)", broken, readyNew)
	}
}

// isInitial reports a node that was in the group when watching started:
// only nodes that appeared since count as replacements.
func (m *Monitor) isInitial(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.initial[name]
}
