package accept

import (
	"errors"
	"time"
)

// Refusal says a plan may not run, or may not go on: the rule it meets
// and why. The api package answers it with FailedPrecondition and a
// PreconditionFailure (the rule, then each detail). Whoever refuses has
// written nothing.
type Refusal struct {
	// Rule names what stands in the way, one of the Rule constants.
	Rule Rule
	// Reason is one sentence for the operator, naming the group, the
	// values and the times involved.
	Reason string
	// Details are the particulars behind Reason: each safety check that
	// did not pass, each field the plan loosens, each node that changed.
	Details []Detail
	// NextRun, for RuleSchedule, is when the group's schedule next lets a
	// batch start; zero when it does not within window.Horizon, or cannot
	// be read.
	NextRun time.Time
}

// Rule is a rule the Executor holds a plan to before it acts.
type Rule string

// The rules, in the order the guards apply them.
const (
	// RuleVerdict: the analysis recommended POSTPONE or REJECT.
	RuleVerdict Rule = "analysis_verdict"
	// RuleStoredPlan: a stored plan no longer passes the plan rules (its
	// record was altered after acceptance).
	RuleStoredPlan Rule = "stored_plan"
	// RuleNodeGroup: the plan's NodeGroup is gone, or was recreated
	// (another UID), or the plan names no UID.
	RuleNodeGroup Rule = "node_group"
	// RuleEnabled: rebalancing is disabled for the group.
	RuleEnabled Rule = "enabled"
	// RuleCeiling: the plan is looser than the group's live policy.
	RuleCeiling Rule = "policy_ceiling"
	// RuleOneAtATime: another execution holds the group.
	RuleOneAtATime Rule = "one_execution_per_group"
	// RuleNodes: a node about to be worked on is gone, left the group or
	// runs another VM.
	RuleNodes Rule = "nodes"
	// RulePlanAge: the plan is older than the Executor's maximum plan age
	// (or dated in the future) when it would start.
	RulePlanAge Rule = "max_plan_age"
	// RuleSchedule: the time is outside the group's maintenance windows or
	// inside its peak hours.
	RuleSchedule Rule = "schedule"
	// RuleDistinctApprover: the group asks for a second person, and the
	// approver is the requester.
	RuleDistinctApprover Rule = "distinct_approver"
	// RuleHealthQuery: the group's soaks evaluate a health query, and this
	// Executor has no Prometheus to ask (--prometheus-url).
	RuleHealthQuery Rule = "health_query"
)

// Detail is one particular of a Refusal.
type Detail struct {
	// Kind says what Subject names, one of the Detail constants.
	Kind string
	// Subject is the check, field, node, execution or window concerned.
	Subject string
	// Description says what is wrong with it, with the values.
	Description string
}

// The kinds of Detail (the Planner names the first two alike).
const (
	DetailSafetyCheck = "SAFETY_CHECK"
	DetailLoosening   = "POLICY_CEILING"
	DetailNode        = "NODE"
	DetailExecution   = "EXECUTION"
	DetailSchedule    = "SCHEDULE"
	DetailField       = "FIELD"
)

func (r *Refusal) Error() string { return string(r.Rule) + ": " + r.Reason }

// Waits reports whether the refusal passes with time alone (a closed
// window opens again): a running execution pauses until then, where any
// other refusal fails it.
func (r *Refusal) Waits() bool { return r.Rule == RuleSchedule }

// AsRefusal returns the Refusal in err's chain, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
