package output_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"sigs.k8s.io/yaml"

	"github.com/vpsie/node-rebalancer/cli/internal/golden"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func print(t *testing.T, f output.Format, m proto.Message, table func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, output.Print(&b, f, m, table))
	return b.Bytes()
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"table", "json", "yaml"} {
		got, err := output.ParseFormat(f)
		require.NoError(t, err)
		require.Equal(t, output.Format(f), got)
	}
	_, err := output.ParseFormat("xml")
	require.ErrorContains(t, err, `"xml"`)
}

// JSON uses the proto field names and reads back into the same message, so
// `analyze -o json` feeds `plan -f` unchanged; it is byte-stable.
func TestJSONUsesProtoNamesAndRoundTrips(t *testing.T) {
	t.Parallel()
	analysis := testfixture.Analysis()
	got := print(t, output.JSON, analysis, nil)
	require.Contains(t, string(got), `"validated_monthly_savings_cents": "7200"`)
	require.NotContains(t, string(got), "validatedMonthlySavingsCents")
	back := &rebalancerv1.RebalanceAnalysis{}
	require.NoError(t, protojson.Unmarshal(got, back))
	require.True(t, proto.Equal(analysis, back))
	require.Equal(t, got, print(t, output.JSON, analysis, nil), "stable across calls")
}

func TestYAMLIsTheJSONDocument(t *testing.T) {
	t.Parallel()
	plan := testfixture.Plan()
	got := print(t, output.YAML, plan, nil)
	require.Contains(t, string(got), "plan_id: plan-0123456789abcdef0123\n")
	j, err := yaml.YAMLToJSON(got)
	require.NoError(t, err)
	back := &rebalancerv1.RebalancePlan{}
	require.NoError(t, protojson.Unmarshal(j, back))
	require.True(t, proto.Equal(plan, back))
}

func TestCompactJSONIsOneLine(t *testing.T) {
	t.Parallel()
	got, err := output.CompactJSON(testfixture.RollingSuccess()[0])
	require.NoError(t, err)
	require.Equal(t, 1, bytes.Count(got, []byte("\n")))
	require.True(t, bytes.HasSuffix(got, []byte("\n")))
	require.Contains(t, string(got), `"kind":"EVENT_KIND_EXECUTION_ACCEPTED"`)
}

func TestTables(t *testing.T) {
	t.Parallel()
	finished := testfixture.Execution()
	finished.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK
	finished.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
	finished.Nodes[0].NewNode = "web-a-r1"
	finished.Nodes[0].NewOffering = "compute-4"
	finished.FailedNodes = []*rebalancerv1.NodeFailure{{NodeName: "web-b", Phase: rebalancerv1.NodePhase_NODE_PHASE_DRAINING, Message: "drain timed out"}}
	finished.Result = &rebalancerv1.RebalanceResult{NodesReplaced: 1, NodesFailed: 1, NodesTotal: 3,
		Duration: durationpb.New(754_400_000_000), RealizedMonthlySavingsCents: 2400}
	list := &rebalancerv1.ListExecutionsResponse{Executions: []*rebalancerv1.ExecutionState{finished, testfixture.Execution()}, NextPageToken: "t2"}

	for name, table := range map[string]func(io.Writer) error{
		"analysis_table": func(w io.Writer) error { return output.AnalysisTable(w, testfixture.Analysis()) },
		"analysis_vm_table": func(w io.Writer) error {
			a := testfixture.Analysis()
			a.Provisioning = &rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM}
			return output.AnalysisTable(w, a)
		},
		"plan_table":      func(w io.Writer) error { return output.PlanTable(w, testfixture.Plan()) },
		"execution_table": func(w io.Writer) error { return output.ExecutionTable(w, finished) },
		"list_table":      func(w io.Writer) error { return output.ExecutionListTable(w, list) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden.Assert(t, name, print(t, output.Table, nil, table))
		})
	}
}

func TestDollarsAreExactCents(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{0: "$0.00", 7: "$0.07", 4800: "$48.00", 123456: "$1234.56", -250: "-$2.50"} {
		require.Equal(t, want, output.Dollars(cents))
	}
}

func TestProvisioningSaysTheModeAndTheVPSieGroup(t *testing.T) {
	t.Parallel()
	for want, p := range map[string]*rebalancerv1.Provisioning{
		"managed, VPSie group workers-compute-4 (id 7), cluster c-1": {Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED,
			ClusterId: "c-1", VpsieGroup: "workers-compute-4", VpsieGroupId: 7},
		"managed, cluster c-1: no VPSie group of the target size": {Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED,
			ClusterId: "c-1"},
		"vm, booted with the group's user data": {Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM},
		"-":                                     nil,
	} {
		require.Equal(t, want, output.Provisioning(p))
	}
}
