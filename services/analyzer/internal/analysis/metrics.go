package analysis

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

// metrics count safety check outcomes by category, the seed's names. A
// warning is counted as passed: it does not stop a rebalance.
type metrics struct {
	passed, failed *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		passed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpsie_rebalancing_safety_checks_passed_total",
			Help: "Safety checks that passed or only warned, by category.",
		}, []string{"category"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpsie_rebalancing_safety_checks_failed_total",
			Help: "Safety checks that failed, by category.",
		}, []string{"category"}),
	}
	for _, c := range []prometheus.Collector{m.passed, m.failed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// Every category starts at zero, so a dashboard sees the series at once.
	for v, name := range rebalancerv1.SafetyCheckCategory_name {
		if v != 0 {
			m.passed.WithLabelValues(categoryLabel(name))
			m.failed.WithLabelValues(categoryLabel(name))
		}
	}
	return m, nil
}

func (m *metrics) observe(results []checks.Result) {
	for _, r := range results {
		label := categoryLabel(r.Check.GetCategory().String())
		if r.Failed() {
			m.failed.WithLabelValues(label).Inc()
		} else {
			m.passed.WithLabelValues(label).Inc()
		}
	}
}

// categoryLabel turns SAFETY_CHECK_CATEGORY_CLUSTER_HEALTH into cluster_health.
func categoryLabel(enumName string) string {
	return strings.ToLower(strings.TrimPrefix(enumName, "SAFETY_CHECK_CATEGORY_"))
}
