package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

var (
	succeeded  = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
	rolledBack = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK
)

// analyze → plan → execute --watch, each through the command tree and its
// files, as an operator in CI would run them.
func TestAnalyzePlanExecuteWatch(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.RollingSuccess(), succeeded)
	in := invocation{env: with(svc.env, "USER", "ops")}
	dir := t.TempDir()

	analyzed := in.run(t, "analyze", "-n", "shop", "-g", "web", "--current", "standard-8", "--target", "compute-4",
		"--alternative", "compute-6", "--claimed-savings", "72.00", "-o", "json")
	require.Equal(t, 0, analyzed.code, analyzed.stderr)
	require.True(t, proto.Equal(&rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: "shop", NodeGroup: "web", Opportunity: &rebalancerv1.Opportunity{
			CurrentOffering: "standard-8", TargetOffering: "compute-4",
			AlternativeOfferings: []string{"compute-6"}, ClaimedMonthlySavingsCents: 7200,
		},
	}, svc.analyzer.requests()[0]))
	analysisFile := filepath.Join(dir, "analysis.json")
	require.NoError(t, os.WriteFile(analysisFile, []byte(analyzed.stdout), 0o600))

	planned := in.run(t, "plan", "-f", analysisFile, "--strategy", "surge", "--max-surge", "2", "--canary", "-o", "json")
	require.Equal(t, 0, planned.code, planned.stderr)
	req := svc.planner.requests()[0]
	require.True(t, proto.Equal(testfixture.Analysis(), req.GetAnalysis()), "the analysis reaches the planner unchanged")
	require.Equal(t, rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE, req.GetOverrides().GetStrategy())
	require.EqualValues(t, 2, req.GetOverrides().GetMaxSurge())
	require.True(t, req.GetOverrides().GetCanary())
	require.Nil(t, req.GetOverrides().BatchSize, "an override not given is not sent")
	require.Nil(t, req.GetOverrides().RequireApproval)
	planFile := filepath.Join(dir, "plan.json")
	require.NoError(t, os.WriteFile(planFile, []byte(planned.stdout), 0o600))

	watched := in.run(t, "execute", "-f", planFile, "--watch")
	require.Equal(t, 0, watched.code, watched.stderr)
	executed := svc.executor.requests()[0].(*rebalancerv1.ExecutePlanRequest)
	require.True(t, proto.Equal(testfixture.Plan(), executed.GetPlan()))
	require.True(t, proto.Equal(&rebalancerv1.ExecutePlanRequest{Plan: testfixture.Plan()}, executed), "no name of its own: the Executor records who it authenticated")
	lines := strings.Split(strings.TrimSpace(watched.stdout), "\n")
	require.Len(t, lines, len(testfixture.RollingSuccess()), "one line per event off a terminal")
	require.Contains(t, lines[len(lines)-1], "EXECUTION_SUCCEEDED Execution ended successfully: 3 of 3 nodes replaced")
	require.Contains(t, watched.stderr, "Execution "+testfixture.ExecutionID+" is PENDING")
}

func TestPlanAnalyzesFirstWithTheSameFlags(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	got := invocation{env: svc.env}.run(t, "plan", "-n", "shop", "-g", "web", "--current", "standard-8", "--target", "compute-4",
		"--batch-size", "2", "--require-approval=false")
	require.Equal(t, 0, got.code, got.stderr)
	require.Len(t, svc.analyzer.requests(), 1)
	require.Equal(t, "web", svc.analyzer.requests()[0].GetNodeGroup())
	overrides := svc.planner.requests()[0].GetOverrides()
	require.EqualValues(t, 2, overrides.GetBatchSize())
	require.NotNil(t, overrides.RequireApproval, "--require-approval=false waives approval explicitly")
	require.False(t, overrides.GetRequireApproval())
	require.Contains(t, got.stdout, "Plan:      "+testfixture.PlanID)
	require.Contains(t, got.stdout, "3      REPLACE  web-c  2      15m0s")
}

// Standard input takes JSON, YAML (what -o yaml prints) and grpcurl's
// response wrapper alike.
func TestPlanReadsAnAnalysisFromStandardInput(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	analysis, err := protojson.Marshal(testfixture.Analysis())
	require.NoError(t, err)
	yamlOut := invocation{env: svc.env}.run(t, "analyze", "-n", "shop", "-g", "web", "--current", "a", "--target", "b", "-o", "yaml")
	require.Equal(t, 0, yamlOut.code, yamlOut.stderr)
	for name, stdin := range map[string]string{
		"json":    string(analysis),
		"yaml":    yamlOut.stdout,
		"wrapped": `{"analysis": ` + string(analysis) + `}`,
	} {
		got := invocation{env: svc.env, stdin: stdin}.run(t, "plan", "-f", "-", "-o", "json")
		require.Equal(t, 0, got.code, "%s: %s", name, got.stderr)
	}
	for _, req := range svc.planner.requests() {
		require.True(t, proto.Equal(testfixture.Analysis(), req.GetAnalysis()))
	}

	bad := invocation{env: svc.env, stdin: `{"plan_id": "x"}`}.run(t, "plan", "-f", "-")
	require.Equal(t, app.ExitError, bad.code)
	require.Contains(t, bad.stderr, "Error: standard input: not a RebalanceAnalysis")
}

func TestWatchOfARolledBackExecutionFails(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.FailedWithRollback(), rolledBack)
	got := invocation{env: svc.env}.run(t, "watch", testfixture.ExecutionID)
	require.Equal(t, app.ExitError, got.code)
	require.Equal(t, "Error: execution "+testfixture.ExecutionID+" ended ROLLED_BACK: Batch 2 failed: web-b: drain timed out\n", got.stderr)
	require.Contains(t, got.stdout, "ROLLBACK_COMPLETED Rollback completed\n")
}

func TestWatchResumesFromASequence(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.RollingSuccess(), succeeded)
	got := invocation{env: svc.env}.run(t, "watch", testfixture.ExecutionID, "--from-sequence", "44")
	require.Equal(t, 0, got.code, got.stderr)
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], " #44 ")
	watchReq := svc.executor.requests()[1].(*rebalancerv1.WatchExecutionRequest)
	require.EqualValues(t, 44, watchReq.GetFromSequence())
}

// A watch started after the final event learns the outcome from GetExecution.
func TestWatchAfterTheEndAsksForTheStatus(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.FailedWithRollback(), rolledBack)
	got := invocation{env: svc.env}.run(t, "watch", testfixture.ExecutionID, "--from-sequence", "1000")
	require.Equal(t, app.ExitError, got.code)
	require.Empty(t, got.stdout)
	require.Contains(t, got.stderr, "ended ROLLED_BACK")
}

func TestWatchOnATerminalRedrawsBars(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.RollingSuccess(), succeeded)
	got := invocation{env: svc.env, terminal: true}.run(t, "watch", testfixture.ExecutionID)
	require.Equal(t, 0, got.code, got.stderr)
	require.Equal(t, len(testfixture.RollingSuccess()), strings.Count(got.stdout, "\x1b[J"), "one redraw per event")
	frames := strings.Split(got.stdout, "\x1b[J")
	last := frames[len(frames)-1]
	require.Contains(t, last, "SUCCEEDED  event 45")
	require.Contains(t, last, "  web-c        [########################] DONE")
}

func TestWatchAsJSONLines(t *testing.T) {
	t.Parallel()
	svc := startServices(t, testfixture.RollingSuccess(), succeeded)
	got := invocation{env: svc.env}.run(t, "watch", testfixture.ExecutionID, "-o", "json")
	require.Equal(t, 0, got.code, got.stderr)
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	require.Len(t, lines, len(testfixture.RollingSuccess()))
	for i, line := range lines {
		ev := &rebalancerv1.ExecutionEvent{}
		require.NoError(t, protojson.Unmarshal([]byte(line), ev))
		require.True(t, proto.Equal(testfixture.RollingSuccess()[i], ev))
	}
}
