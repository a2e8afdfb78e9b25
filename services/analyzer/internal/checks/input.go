package checks

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// Input is everything the checks read. The caller fills it from the
// caches; the checks do no I/O and read the time only from Now.
type Input struct {
	Now    time.Time
	Group  *v1alpha1.NodeGroup
	Policy *rebalancerv1.RebalancePolicy
	// Members are the group's nodes (or the nodes a caller named), by name.
	Members []*facts.Member
	// NamedNodes: the caller named the members to check, so each must be
	// a candidate; otherwise one candidate is enough.
	NamedNodes bool
	// ClusterNodes are every node of the cluster, for its health.
	ClusterNodes []*corev1.Node
	// APIServer is the answer of the API server's /readyz (nil when ready).
	APIServer error
	// Offer is the opportunity priced from the catalogue; nil when the
	// caller gave no opportunity (a safety check of named nodes), which
	// skips the resource checks.
	Offer *Offer
	// Provisioning is what the analysis read of where replacements would
	// come from; nil without an opportunity, like Offer.
	Provisioning *Provisioning
	Limits
}

// Limits are the Analyzer's own thresholds, beside the group's policy.
type Limits struct {
	// MaxUnreadyPercent of the cluster's nodes may be not Ready before the
	// cluster counts as unhealthy.
	MaxUnreadyPercent int
	// ScaleUpCooldown is how long after a node joins the group counts as
	// scaling.
	ScaleUpCooldown time.Duration
	// MaxCatalogueAge is the age past which prices are flagged as stale.
	MaxCatalogueAge time.Duration
	// JoinGrace is how long a new node may stay not Ready without counting
	// as unready: it is still joining (booting, its kubelet registering),
	// which any scale-up or another group's rebalance in the same cluster
	// shows, not an outage.
	JoinGrace time.Duration
}

// DefaultJoinGrace covers a VPSie VM's boot and its kubelet's first
// Ready report with room to spare (they take one to two minutes).
const DefaultJoinGrace = 5 * time.Minute

// DefaultLimits follow the peers: Karpenter stops repairing when 20% of a
// pool is unhealthy; Cluster Autoscaler waits 10 minutes after a scale-up.
func DefaultLimits(catalogueRefresh time.Duration) Limits {
	return Limits{MaxUnreadyPercent: 20, ScaleUpCooldown: 10 * time.Minute, MaxCatalogueAge: 3 * catalogueRefresh,
		JoinGrace: DefaultJoinGrace}
}

// candidates returns the members that are candidates.
func (in *Input) candidates() []*facts.Member {
	var out []*facts.Member
	for _, m := range in.Members {
		if m.Candidate() {
			out = append(out, m)
		}
	}
	return out
}

func (in *Input) groupName() string { return in.Group.Namespace + "/" + in.Group.Name }
