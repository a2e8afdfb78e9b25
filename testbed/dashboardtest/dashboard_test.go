package dashboardtest

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/vpsie/node-rebalancer/cli/dashboard"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// groupSize keeps the rebalance within the test's ~90 s on two cores: two
// nodes in two rolling batches, so one waits while the other is replaced.
const groupSize = 2

// TestDashboardFollowsARebalanceInABrowser runs a rolling rebalance on the
// sandbox and reads the dashboard in headless Chromium at the start (the
// execution listed, its nodes pending), midway (a node past its
// replacement's start, its bar filling) and at the end (SUCCEEDED with the
// Executor's result), taking a screenshot each time.
func TestDashboardFollowsARebalanceInABrowser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	nodes := w.createGroup(groupSize)
	workloads := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(w.ns, "web", w.ns, 2)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(w.ns, "web", 1)},
	}
	workloads.Create(t, w.sb)
	workloads.WaitRunning(t, w.sb, groupSize)
	// Held for approval, so the page's start is the execution's start.
	exec := w.submit(nodes)
	id := exec.GetExecutionId()
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, exec.GetStatus())

	srv := httptest.NewServer(dashboard.New(w.executor, dashboard.Options{}))
	t.Cleanup(srv.Close)
	ctx := browser(t)
	shots := newScreenshots(t)
	_, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#"+id))
	require.NoError(t, err)

	// Start: listed, and every node pending in its own batch.
	waitFor(t, ctx, "the execution listed and its nodes pending",
		`document.querySelector('#executions tr[data-execution-id="`+id+`"]') !== null &&
		 document.querySelectorAll('.node[data-phase="PENDING"]').length === `+itoa(groupSize), 20*time.Second)
	require.Equal(t, "AWAITING_APPROVAL", eval[string](t, ctx, `document.querySelector('#execution').dataset.status`))
	require.Equal(t, groupSize, eval[int](t, ctx, `document.querySelectorAll('.batch').length`))
	shots.take(ctx, "start")

	w.approve(id)

	// Midway: a node past the start of its replacement, its bar above
	// zero, while the execution runs.
	waitFor(t, ctx, "a node past PROVISIONING with its bar filling",
		`[...document.querySelectorAll('.node')].some(n =>
			['READY', 'CORDONED', 'DRAINING', 'DRAINED', 'TERMINATING', 'DONE'].includes(n.dataset.phase) &&
			Number(n.querySelector('.bar').dataset.progress) > 0)`, 60*time.Second)
	require.Positive(t, eval[int](t, ctx, `Number(document.querySelector('#overall').dataset.progress)`))
	shots.take(ctx, "midway")

	// End: the result, as the Executor reports it.
	waitFor(t, ctx, "the result of a SUCCEEDED execution",
		`document.querySelector('#result[data-status="SUCCEEDED"]:not([hidden])') !== null`, 90*time.Second)
	var resp *rebalancerv1.GetExecutionResponse
	resp, err = w.executor.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: id})
	require.NoError(t, err)
	result := resp.GetExecution().GetResult()
	require.EqualValues(t, groupSize, result.GetNodesReplaced())
	field := func(name string) string {
		return eval[string](t, ctx, `document.querySelector('#result [data-field="`+name+`"]').textContent`)
	}
	require.Equal(t, "SUCCEEDED", field("status"))
	require.Equal(t, itoa(groupSize)+" of "+itoa(groupSize), field("nodesReplaced"))
	require.Equal(t, "0", field("nodesFailed"))
	require.Equal(t, "$48.00/month", field("savings"), "two nodes from $48 to $24 a month")
	require.NotEmpty(t, field("duration"))
	require.Equal(t, groupSize, eval[int](t, ctx, `document.querySelectorAll('.node[data-phase="DONE"]').length`))
	require.Equal(t, 100, eval[int](t, ctx, `Number(document.querySelector('#overall').dataset.progress)`))
	waitFor(t, ctx, "the list showing the final status",
		`document.querySelector('#executions tr[data-execution-id="`+id+`"]').dataset.status === 'SUCCEEDED'`, 10*time.Second)
	shots.take(ctx, "end")
}

func itoa(n int) string { return strconv.Itoa(n) }
