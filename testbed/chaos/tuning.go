package chaos

import (
	"os/exec"
	"strings"
	"time"
)

// Reconciler timings a campaign gives the Executor, when it has them: a
// run settles in well under a minute only if the reconciler looks every
// few seconds and reclaims an orphan after seconds, not its default
// minutes of grace.
const (
	campaignReconcileInterval = 2 * time.Second
	campaignOrphanGrace       = 10 * time.Second
)

// executorTuning are the reconciler flags the executor binary knows, set
// to the campaign's timings. It asks the binary's -help, so a campaign
// also runs (without them) against an Executor that has no reconciler.
func executorTuning(binary string) []string {
	help, _ := exec.Command(binary, "-help").CombinedOutput() // -help exits 0 or 2; the text is what counts
	var args []string
	for _, f := range []struct {
		name  string
		value time.Duration
	}{{"reconcile-interval", campaignReconcileInterval}, {"orphan-grace", campaignOrphanGrace}} {
		if strings.Contains(string(help), "-"+f.name+" ") {
			args = append(args, "--"+f.name+"="+f.value.String())
		}
	}
	return args
}
