package planner

import (
	"errors"
	"strings"

	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// UnmetPolicyError says no plan can keep the group's policy for this
// analysis: the caller has to change or override the policy, or wait for a
// better analysis. The api package maps it to FailedPrecondition.
type UnmetPolicyError struct {
	// Rule names what stands in the way: a policy field such as
	// "min_healthy_percent", or an analysis fact such as "safe_to_rebalance".
	Rule string
	// Reason is one sentence for the operator, with the figures involved.
	Reason string
}

func (e *UnmetPolicyError) Error() string { return "policy cannot be met: " + e.Rule + ": " + e.Reason }

// IsUnmetPolicy reports whether err is, or wraps, an *UnmetPolicyError.
func IsUnmetPolicy(err error) bool {
	var target *UnmetPolicyError
	return errors.As(err, &target)
}

// InvalidAnalysisError lists what is malformed in an analysis or overrides,
// field by field. The api package maps it to InvalidArgument.
type InvalidAnalysisError struct {
	Violations []plancheck.Violation
}

func (e *InvalidAnalysisError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "invalid analysis: " + strings.Join(parts, "; ")
}

// IsInvalidAnalysis reports whether err is, or wraps, an *InvalidAnalysisError.
func IsInvalidAnalysis(err error) bool {
	var target *InvalidAnalysisError
	return errors.As(err, &target)
}
