package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"sigs.k8s.io/yaml"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// fuzzInputs are files as operators hand them to `plan --analysis` and
// `execute --plan`: protojson, YAML of it, and grpcurl's wrapped answer.
func fuzzInputs(f *testing.F) {
	f.Helper()
	analysis := &rebalancerv1.RebalanceAnalysis{
		AnalysisId: "analysis-0123456789abcdef0123", NodeGroup: "web", Namespace: "shop", TotalNodes: 2,
		Opportunity:    &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4", Confidence: 0.9},
		AnalyzedAt:     timestamppb.New(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)),
		CandidateNodes: []*rebalancerv1.CandidateNode{{NodeName: "web-0", VmIdentifier: "vm-0", SafeToRebalance: true}},
		SafetyChecks:   []*rebalancerv1.SafetyCheck{{Name: "pdb.disruptions_allowed", Details: map[string]string{"pdb": "shop/web"}}},
	}
	plan := &rebalancerv1.RebalancePlan{PlanId: "plan-0123456789abcdef0123", NodeGroup: "web", Namespace: "shop",
		Batches:   []*rebalancerv1.NodeBatch{{BatchNumber: 1, Nodes: analysis.GetCandidateNodes(), EstimatedDuration: durationpb.New(6e11)}},
		Signature: []byte{1, 2, 3}, SigningKeyId: "ed25519:0123456789abcdef"}
	for _, m := range []proto.Message{analysis, plan} {
		j, err := protojson.Marshal(m)
		require.NoError(f, err)
		f.Add(string(j))
		y, err := yaml.JSONToYAML(j)
		require.NoError(f, err)
		f.Add(string(y))
	}
	f.Add(`{"plan": {"planId": "plan-1"}}`)
	f.Add(`{"analysis": {"nodeGroup": "web"}}`)
	f.Add("nodeGroup: web\nbatches:\n- batchNumber: 1\n")
	f.Add("")
}

// FuzzDecodeInput reads any file as a plan and as an analysis: the reader
// never panics, and what it reads, printed as -o json prints it, reads
// back equal (so `rebalancectl ... -o json > f; rebalancectl ... f` works).
func FuzzDecodeInput(f *testing.F) {
	fuzzInputs(f)
	f.Fuzz(func(t *testing.T, data string) {
		for _, tc := range []struct {
			msg     proto.Message
			wrapper string
		}{
			{&rebalancerv1.RebalancePlan{}, "plan"},
			{&rebalancerv1.RebalanceAnalysis{}, "analysis"},
		} {
			if decodeMessage([]byte(data), tc.msg, tc.wrapper, "fuzz") != nil {
				continue
			}
			j, err := protojson.Marshal(tc.msg)
			require.NoError(t, err)
			back := tc.msg.ProtoReflect().New().Interface()
			require.NoError(t, decodeMessage(j, back, tc.wrapper, "fuzz"), "%s", j)
			require.True(t, proto.Equal(tc.msg, back), "printed and read back: %s", j)
		}
	})
}
