package analysis

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// idHexDigits keeps 80 bits of the hash, as plan IDs do.
const idHexDigits = 20

// analysisID derives an analysis' ID from its content, analysis_id left
// empty: "analysis-" and the first hex digits of the SHA-256 of its
// deterministic encoding. The same cluster state, opportunity and clock
// give the same ID on every replica.
func analysisID(a *rebalancerv1.RebalanceAnalysis) (string, error) {
	if a.GetAnalysisId() != "" {
		a = proto.CloneOf(a)
		a.AnalysisId = ""
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("encode analysis: %w", err)
	}
	sum := sha256.Sum256(b)
	return "analysis-" + hex.EncodeToString(sum[:])[:idHexDigits], nil
}
