package analysis

import (
	"errors"
	"fmt"
)

// ErrNotSynced: the informer caches do not hold the cluster yet, so an
// answer could miss nodes, pods or budgets. The api package maps it to
// Unavailable; the caller retries.
var ErrNotSynced = errors.New("the cluster caches are not synced yet")

// GroupNotFoundError: no NodeGroup of that name in that namespace. NotFound.
type GroupNotFoundError struct{ Namespace, Name string }

func (e *GroupNotFoundError) Error() string {
	return fmt.Sprintf("node group %s/%s not found", e.Namespace, e.Name)
}

// DisabledError: the group's policy says rebalancing.enabled=false.
// FailedPrecondition: the operator has to enable it first.
type DisabledError struct{ Namespace, Name string }

func (e *DisabledError) Error() string {
	return fmt.Sprintf("rebalancing is disabled for node group %s/%s (spec.rebalancing.enabled=false)", e.Namespace, e.Name)
}

// NodeNotInGroupError: a node the caller named is not a member of the
// group (no such node, or another group's label). NotFound.
type NodeNotInGroupError struct{ Node, Namespace, Group string }

func (e *NodeNotInGroupError) Error() string {
	return fmt.Sprintf("node %s is not a member of node group %s/%s", e.Node, e.Namespace, e.Group)
}

// IsNotFound reports whether err names a group or node that is not there.
func IsNotFound(err error) bool {
	var g *GroupNotFoundError
	var n *NodeNotInGroupError
	return errors.As(err, &g) || errors.As(err, &n)
}

// IsDisabled reports whether err is, or wraps, a *DisabledError.
func IsDisabled(err error) bool {
	var d *DisabledError
	return errors.As(err, &d)
}

// IsNotSynced reports whether err is, or wraps, ErrNotSynced.
func IsNotSynced(err error) bool { return errors.Is(err, ErrNotSynced) }
