// Package checks holds the Analyzer's safety checks, five families as the
// API's categories name them. Each check is a plain function of an Input
// (facts already read from the caches and the catalogue) returning one
// Result: a SafetyCheck for the API, PASSED, WARNING or FAILED, whose
// message names the blocker, plus what the verdict needs to know.
package checks

import (
	"fmt"
	"slices"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Result is one check's outcome.
type Result struct {
	Check *rebalancerv1.SafetyCheck
	// Wait marks a failure that time may clear (a window, a cooldown, a
	// budget at zero while pods restart): the verdict is to postpone, not
	// to reject.
	Wait bool
	// Blockers are node-scoped failures. A node named by one is not safe
	// to rebalance; other candidates may still be.
	Blockers []Blocker
}

// Blocker is what keeps one node from being rebalanced.
type Blocker struct {
	Node   string
	Reason string
	Wait   bool
}

// Failed reports whether the check failed.
func (r Result) Failed() bool { return r.Check.GetStatus() == statusFailed }

// NodeScoped reports whether the failure concerns some nodes only.
func (r Result) NodeScoped() bool { return len(r.Blockers) > 0 }

const (
	statusPassed  = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED
	statusWarning = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING
	statusFailed  = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED
)

func result(category rebalancerv1.SafetyCheckCategory, name string, status rebalancerv1.SafetyCheckStatus,
	message string, details map[string]string) Result {
	return Result{Check: &rebalancerv1.SafetyCheck{
		Category: category, Name: name, Status: status, Message: message, Details: details,
	}}
}

func passed(category rebalancerv1.SafetyCheckCategory, name, message string, details map[string]string) Result {
	return result(category, name, statusPassed, message, details)
}

func warning(category rebalancerv1.SafetyCheckCategory, name, message string, details map[string]string) Result {
	return result(category, name, statusWarning, message, details)
}

// failed is a group-wide failure; wait says whether time may clear it.
func failed(category rebalancerv1.SafetyCheckCategory, name, message string, details map[string]string, wait bool) Result {
	r := result(category, name, statusFailed, message, details)
	r.Wait = wait
	return r
}

// maxNamed bounds how many blockers a message lists; details carry all.
const maxNamed = 3

// listed joins the first items and says how many more there are:
// "a; b; c and 2 more".
func listed(items []string) string {
	if len(items) <= maxNamed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxNamed], "; "), len(items)-maxNamed)
}

// nodeNames lists the distinct nodes of blockers, sorted, comma-separated.
func nodeNames(blockers []Blocker) string {
	var names []string
	for _, b := range blockers {
		if !slices.Contains(names, b.Node) {
			names = append(names, b.Node)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// blocking turns node-scoped findings into a result: FAILED naming them,
// or PASSED with the given message when there are none.
func blocking(category rebalancerv1.SafetyCheckCategory, name string, blockers []Blocker, passMessage string) Result {
	if len(blockers) == 0 {
		return passed(category, name, passMessage, nil)
	}
	reasons := make([]string, len(blockers))
	for i, b := range blockers {
		reasons[i] = b.Reason
	}
	r := result(category, name, statusFailed, listed(reasons),
		map[string]string{"nodes": nodeNames(blockers), "count": fmt.Sprint(len(blockers))})
	r.Blockers = blockers
	r.Wait = !slices.ContainsFunc(blockers, func(b Blocker) bool { return !b.Wait })
	return r
}

// advisory turns findings an operator should read into a WARNING, or a
// PASSED result when there are none.
func advisory(category rebalancerv1.SafetyCheckCategory, name string, findings []string, passMessage string) Result {
	if len(findings) == 0 {
		return passed(category, name, passMessage, nil)
	}
	return warning(category, name, listed(findings), map[string]string{"count": fmt.Sprint(len(findings))})
}
