package engine

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// world is what one pass of the orphan reclaim reads once: the groups,
// the nodes, and the records it looked up.
type world struct {
	groups  []v1alpha1.NodeGroup
	nodes   []corev1.Node
	records map[string]*store.Record // nil value: missing from the store
	// all is every record, read when an unclaimed managed node needs it
	// (managedorphans.go); nil until then.
	all []*store.Record
}

func (e *Executor) readWorld(ctx context.Context) (*world, error) {
	groups, err := e.deps.Groups.NodeGroups(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list NodeGroups: %w", err)
	}
	nodes, err := e.deps.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return &world{groups: groups.Items, nodes: nodes.Items, records: map[string]*store.Record{}}, nil
}

// record is an execution by ID, read once per pass; nil when missing.
func (w *world) record(ctx context.Context, s store.Store, id string) (*store.Record, error) {
	if rec, seen := w.records[id]; seen {
		return rec, nil
	}
	rec, err := s.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	w.records[id] = rec
	return rec, nil
}

// nodeOf is the Node running machine id, nil when none registered.
func (w *world) nodeOf(id string) *corev1.Node {
	for i := range w.nodes {
		if w.nodes[i].Spec.ProviderID == v1alpha1.ProviderID(id) {
			return &w.nodes[i]
		}
	}
	return nil
}

// groupOf is a replacement's NodeGroup: its execution's, else the one its
// node (or VM) is labelled for when a single namespace has it; nil when
// unknown.
func (w *world) groupOf(r replacement, rec *store.Record) *v1alpha1.NodeGroup {
	if rec != nil {
		return w.group(rec.Plan.GetNamespace(), rec.Plan.GetNodeGroup())
	}
	name := r.groupLabel
	var found *v1alpha1.NodeGroup
	for i := range w.groups {
		if w.groups[i].Name != name {
			continue
		}
		if found != nil {
			return nil // the same name in two namespaces: unknown
		}
		found = &w.groups[i]
	}
	return found
}

func (w *world) group(namespace, name string) *v1alpha1.NodeGroup {
	for i := range w.groups {
		if w.groups[i].Namespace == namespace && w.groups[i].Name == name {
			return &w.groups[i]
		}
	}
	return nil
}

// needs reports whether group is below its floor (spec.minNodes) without
// node: what "a Ready member the group still needs" means, since a group
// says no more of the size it wants. An unknown group needs nothing.
func (w *world) needs(group *v1alpha1.NodeGroup, node *corev1.Node) bool {
	if group == nil {
		return false
	}
	serving := 0
	for i := range w.nodes {
		n := &w.nodes[i]
		if n.Labels[v1alpha1.LabelNodeGroup] == group.Name && (node == nil || n.Name != node.Name) && kube.NodeServing(n) {
			serving++
		}
	}
	return int32(serving) < group.Spec.MinNodes
}

// replacements are this installation's replacement machines: VMs by
// their tag, and managed nodes by their claim; adopted ones are not.
func (e *Executor) replacements(ctx context.Context, w *world) ([]replacement, error) {
	vms, err := e.deps.Cloud.ListVMs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list VMs: %w", err)
	}
	var out []replacement
	for _, vm := range vms {
		of, ok := cloud.ReplacementOf(vm.Tags)
		if !ok || of.Installation != e.deps.Installation || vm.ID == "" {
			continue
		}
		r := replacement{mode: modeVM, id: vm.ID, hostname: vm.Hostname, created: vm.CreatedAt, of: of,
			node: w.nodeOf(vm.ID), groupLabel: vm.Labels[v1alpha1.LabelNodeGroup]}
		if !adopted(r.node) {
			out = append(out, r)
		}
	}
	return append(out, w.managedReplacements(e.deps.Installation)...), nil
}

// managedReplacements are the nodes claimed for an old node (managed
// mode), not adopted.
func (w *world) managedReplacements(installation string) []replacement {
	var out []replacement
	for i := range w.nodes {
		n := &w.nodes[i]
		execution, old, ok := splitClaim(n.Annotations[v1alpha1.AnnotationReplacementFor])
		if !ok || adopted(n) {
			continue
		}
		id, _ := v1alpha1.VMIdentifier(n.Spec.ProviderID)
		out = append(out, replacement{mode: modeManaged, id: id, hostname: n.Name, created: n.CreationTimestamp.Time,
			of: cloud.Replacement{Installation: installation, Execution: execution, OldNode: old}, node: n,
			groupLabel: n.Labels[v1alpha1.LabelNodeGroup]})
	}
	return out
}

func adopted(n *corev1.Node) bool {
	return n != nil && n.Annotations[AnnotationAdopted] != ""
}
