package nodestep

import (
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// evictDecision is what the drain does after the Eviction API answered.
type evictDecision int

const (
	evictAdmitted evictDecision = iota // the pod is on its way out
	evictGone                          // nothing left to evict for this pod
	evictBlocked                       // a budget refused; retry with backoff and say so
	evictRetry                         // may pass later; retry with backoff
)

// decideEviction maps the Eviction API's status codes to decisions: the one
// table of them (see kubectl drain and Karpenter's terminator).
func decideEviction(err error) evictDecision {
	switch {
	case err == nil:
		// 200/201: admitted; the pod terminates within its grace period.
		return evictAdmitted
	case apierrors.IsNotFound(err):
		// 404: the pod is already gone.
		return evictGone
	case apierrors.IsConflict(err):
		// 409: the UID precondition failed: a pod of that name exists but it
		// is a new one (a StatefulSet recreated it); the next listing decides.
		return evictGone
	case apierrors.IsTooManyRequests(err):
		// 429: a PodDisruptionBudget allows no disruption now (or the API
		// server throttles us): retry with backoff until the drain timeout.
		return evictBlocked
	case apierrors.IsForbidden(err) && strings.Contains(err.Error(), "being terminated"):
		// 403 in a terminating namespace: the pod goes with its namespace.
		return evictGone
	case apierrors.IsInternalError(err):
		// 500: misconfiguration, e.g. several PDBs select the pod. It will not
		// pass by itself, but an operator may fix it before the timeout.
		return evictBlocked
	default:
		// Anything else (timeouts, 5xx): transient until the drain timeout.
		return evictRetry
	}
}
