// Package naming derives the names the Executor hands out from the plan,
// so any replica, retry or resume arrives at the same ones.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

// maxLabel is a DNS label's length limit, which hostnames obey.
const maxLabel = 63

// suffixDigits of hash keep hostnames of different plans apart (40 bits).
const suffixDigits = 10

// ExecutionID is the execution of a plan: the plan's content hash under
// another prefix, so the same plan submitted twice finds its execution.
func ExecutionID(planID string) string {
	return "exec-" + strings.TrimPrefix(planID, "plan-")
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// Hostname is the replacement VM's hostname for oldNode under planID, for
// its attempt-th VM: the old name (made a DNS label, shortened) and a hash
// of the three, at most 63 characters. CreateVM is idempotent per
// hostname, so a retried step finds the VM it already asked for instead
// of ordering a second; a new attempt (the first VM never joined) gets a
// new name, so it can never find the VM being deleted.
func Hostname(planID, oldNode string, attempt int) string {
	key := planID + "/" + oldNode
	if attempt > 1 {
		key += "#" + strconv.Itoa(attempt)
	}
	sum := sha256.Sum256([]byte(key))
	suffix := hex.EncodeToString(sum[:])[:suffixDigits]
	prefix := notLabel.ReplaceAllString(strings.ToLower(oldNode), "-")
	prefix = strings.Trim(prefix, "-")
	if room := maxLabel - len(suffix) - 1; len(prefix) > room {
		prefix = strings.TrimRight(prefix[:room], "-")
	}
	if prefix == "" {
		return "rb-" + suffix
	}
	return prefix + "-" + suffix
}
