package nodestep

import (
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Failure is a node's replacement failing for good, with what blocked it.
// The engine records it as the node's failure (NodeFailure); any other
// error of a step is recorded with the node's phase and its text.
type Failure struct {
	Phase   rebalancerv1.NodePhase
	Message string
	// Pods and PDBs name what a drain could not move, "namespace/name".
	Pods, PDBs []string
}

func (e *Failure) Error() string {
	msg := e.Message
	if len(e.Pods) > 0 {
		msg += "; pods: " + strings.Join(e.Pods, ", ")
	}
	if len(e.PDBs) > 0 {
		msg += "; PDBs: " + strings.Join(e.PDBs, ", ")
	}
	return msg
}

func failure(phase rebalancerv1.NodePhase, format string, args ...any) *Failure {
	return &Failure{Phase: phase, Message: fmt.Sprintf(format, args...)}
}
