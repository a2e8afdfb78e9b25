package engine

import "github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"

// The names the Executor writes on Kubernetes objects, defined with the
// node steps that write them and kept here for the engine's callers.
const (
	// TaintReplacing is the taint every old node carries while replaced.
	TaintReplacing = nodestep.TaintReplacing
	// LabelExcludeFromLB takes a cordoned old node out of external load
	// balancers.
	LabelExcludeFromLB = nodestep.LabelExcludeFromLB
	// AnnotationOriginalMarks carries, on a tainted old node, the marks it
	// had before, so Reconcile can restore it without its record.
	AnnotationOriginalMarks = nodestep.AnnotationOriginalMarks
	// AnnotationRestartedAt is the pod template annotation a drain sets to
	// move a single-replica Deployment's pod by a rollout.
	AnnotationRestartedAt = nodestep.AnnotationRestartedAt
	// DefaultInstallation is the installation of an executor not told its own.
	DefaultInstallation = nodestep.DefaultInstallation
)
