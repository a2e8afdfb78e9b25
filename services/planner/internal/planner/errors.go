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
	// "min_healthy_percent", an analysis fact such as "safe_to_rebalance"
	// or "recommended_action", or "policy_ceiling" for a plan that would be
	// looser than its group's policy.
	Rule string
	// Reason is one sentence for the operator, with the figures involved.
	Reason string
	// Details are the particulars behind Reason, when it has several: each
	// safety check that did not pass, or each field a plan would loosen.
	Details []Detail
}

// Detail is one particular of an UnmetPolicyError.
type Detail struct {
	// Kind says what Subject names: DetailSafetyCheck or DetailLoosening.
	Kind string
	// Subject is the safety check's name, or the loosened policy field.
	Subject string
	// Description is the check's status and message, or the plan's and the
	// group's values.
	Description string
}

// The kinds of Detail.
const (
	// DetailSafetyCheck is a safety check of the analysis that did not pass.
	DetailSafetyCheck = "SAFETY_CHECK"
	// DetailLoosening is a policy field the plan would loosen.
	DetailLoosening = "POLICY_CEILING"
)

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
