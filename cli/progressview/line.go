package progressview

import (
	"fmt"
	"strings"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Line is one event as one log line, for output that is not a terminal
// (CI logs, pipes): time, sequence, progress, kind, then the message.
func Line(ev *rebalancerv1.ExecutionEvent) string {
	at := "-"
	if ev.GetTime() != nil {
		at = ev.GetTime().AsTime().UTC().Format(time.RFC3339)
	}
	kind := strings.TrimPrefix(ev.GetKind().String(), "EVENT_KIND_")
	return fmt.Sprintf("%s #%d %3d%% %s %s", at, ev.GetSequence(), ev.GetProgressPercent(), kind, ev.GetMessage())
}
