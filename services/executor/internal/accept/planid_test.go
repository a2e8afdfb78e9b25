package accept

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// TestAPlanStoredBeforeV2IDsIsTakenUp: testdata/v1-blue-green.json is a
// plan the Planner made before plan IDs took the v2 scheme, with its v1
// ID. Signed, as the Planner signed plans then, it passes the signature
// and the plan rules, which recompute its ID by the scheme it names; edited
// and re-signed with a v1 ID of its old content, it is refused.
func TestAPlanStoredBeforeV2IDsIsTakenUp(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "v1-blue-green.json"))
	require.NoError(t, err)
	stored := &rebalancerv1.RebalancePlan{}
	require.NoError(t, protojson.Unmarshal(b, stored))
	require.Equal(t, "plan-565a9cefec0aad14dd9e", stored.GetPlanId(), "a v1 ID")

	pub, s := signingKey(t)
	require.NoError(t, s.Sign(stored))
	require.NoError(t, CheckSignature(plansign.NewVerifier(pub), stored))
	require.Empty(t, plancheck.Check(stored))

	stored.AnalysisId = "analysis-2"
	require.NoError(t, s.Sign(stored))
	found := plancheck.Check(stored)
	require.Len(t, found, 1)
	require.Equal(t, "plan.plan_id", found[0].Field)
}
