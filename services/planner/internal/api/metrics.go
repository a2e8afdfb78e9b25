package api

import (
	"github.com/prometheus/client_golang/prometheus"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/planner/internal/planner"
)

// metrics are the Planner's own series, beside the gRPC ones of libs/server.
type metrics struct {
	plansCreated *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		plansCreated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpsie_rebalancing_plans_created_total",
			Help: "Rebalance plans created, by node group and strategy.",
		}, []string{"namespace", "node_group", "strategy"}),
	}
	if err := reg.Register(m.plansCreated); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *metrics) planCreated(p *rebalancerv1.RebalancePlan) {
	m.plansCreated.WithLabelValues(p.GetNamespace(), p.GetNodeGroup(), planner.StrategyName(p.GetStrategy())).Inc()
}
