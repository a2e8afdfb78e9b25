package analysis

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

// metrics count safety check outcomes by group and category, the seed's
// names. A warning is counted as passed: it does not stop a rebalance. The
// group labels let an operator see which group keeps failing which checks;
// groups are few (one per NodeGroup), so the series stay bounded.
type metrics struct {
	passed, failed *prometheus.CounterVec
}

var metricLabels = []string{"namespace", "node_group", "category"}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		passed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpsie_rebalancing_safety_checks_passed_total",
			Help: "Safety checks that passed or only warned, by group and category.",
		}, metricLabels),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpsie_rebalancing_safety_checks_failed_total",
			Help: "Safety checks that failed, by group and category.",
		}, metricLabels),
	}
	for _, c := range []prometheus.Collector{m.passed, m.failed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe counts the results of one analysis of namespace/group.
func (m *metrics) observe(namespace, group string, results []checks.Result) {
	// Every category of an analysed group starts at zero, so a dashboard
	// sees a group's series from its first analysis, failures or not.
	for v, name := range rebalancerv1.SafetyCheckCategory_name {
		if v != 0 {
			m.passed.WithLabelValues(namespace, group, categoryLabel(name))
			m.failed.WithLabelValues(namespace, group, categoryLabel(name))
		}
	}
	for _, r := range results {
		label := categoryLabel(r.Check.GetCategory().String())
		if r.Failed() {
			m.failed.WithLabelValues(namespace, group, label).Inc()
		} else {
			m.passed.WithLabelValues(namespace, group, label).Inc()
		}
	}
}

// categoryLabel turns SAFETY_CHECK_CATEGORY_CLUSTER_HEALTH into cluster_health.
func categoryLabel(enumName string) string {
	return strings.ToLower(strings.TrimPrefix(enumName, "SAFETY_CHECK_CATEGORY_"))
}
