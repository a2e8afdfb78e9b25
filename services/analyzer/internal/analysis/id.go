package analysis

import (
	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/libs/contentid"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// analysisID derives an analysis' ID from its content, analysis_id left
// empty: "analysis-" and a hash (see contentid.Of). The same cluster state,
// opportunity and clock give the same ID on every replica.
func analysisID(a *rebalancerv1.RebalanceAnalysis) (string, error) {
	if a.GetAnalysisId() != "" {
		a = proto.CloneOf(a)
		a.AnalysisId = ""
	}
	return contentid.Of("analysis", a)
}
