package plancheck

import (
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// CheckOutcome is how the Planner and the Executor name a safety check
// that did not pass: "FAILED: <message>", or the status alone without one.
func CheckOutcome(c *rebalancerv1.SafetyCheck) string {
	status := strings.TrimPrefix(c.GetStatus().String(), "SAFETY_CHECK_STATUS_")
	if c.GetMessage() == "" {
		return status
	}
	return status + ": " + c.GetMessage()
}

// VerdictName is an analysis verdict as operators read it: "POSTPONE".
func VerdictName(v rebalancerv1.RecommendedAction) string {
	return strings.TrimPrefix(v.String(), "RECOMMENDED_ACTION_")
}
