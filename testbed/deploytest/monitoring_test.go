package deploytest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The alerts issue 19 asks for; more may follow.
var wantAlerts = []string{"RebalanceExecutionStuck", "RebalanceRolledBack", "RebalanceOrphanVMs", "RebalanceSafetyCheckFailing"}

// TestMonitoringQueriesNameExportedMetrics renders deploy/monitoring and
// requires every PromQL expression of its Grafana dashboard and its
// PrometheusRule to select only metrics the services export, so a renamed
// or removed metric breaks this test and not an operator's night.
func TestMonitoringQueriesNameExportedMetrics(t *testing.T) {
	t.Parallel()
	exported := scanExportedMetrics(t)
	// The scan must see the services' own definitions, both forms of them.
	for _, name := range []string{"vpsie_rebalancing_plans_executed_total", "vpsie_rebalancing_duration_seconds",
		"vpsie_rebalancing_safety_checks_failed_total", "vpsie_rebalancing_plans_created_total"} {
		require.Contains(t, exported, name, "the metric scan missed a definition")
	}
	objs := render(t, "monitoring")
	queries := append(dashboardQueries(t, dashboardOf(t, objs)), ruleQueries(t, ruleOf(t, objs))...)
	require.NotEmpty(t, queries)
	for _, q := range queries {
		names := q.names()
		require.NotEmpty(t, names, "%s: %q selects no metric", q.where, q.expr)
		for _, name := range names {
			require.True(t, exported.has(name), "%s: %q selects %s, which no service exports", q.where, q.expr, name)
		}
	}
}

// query is one PromQL expression and where it was found.
type query struct {
	where, expr string
	template    bool // a Grafana variable's query, label_values(...)
}

func (q query) names() []string {
	if q.template {
		return templateMetricNames(q.expr)
	}
	return metricNames(q.expr)
}

// dashboardModel is the part of Grafana's dashboard JSON the test reads.
type dashboardModel struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Panels     []dashboardPanel
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"` // a string, or {"query": "..."}
		} `json:"list"`
	} `json:"templating"`
}

type dashboardPanel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"` // a collapsed row's
}

// dashboardOf finds the dashboard ConfigMap Grafana's sidecar loads and
// decodes its JSON.
func dashboardOf(t *testing.T, objs []*unstructured.Unstructured) dashboardModel {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "ConfigMap" {
			continue
		}
		require.Equal(t, "1", o.GetLabels()["grafana_dashboard"], "%s: the label Grafana's sidecar selects", key(o))
		raw, found, err := unstructured.NestedString(o.Object, "data", "node-rebalancer.json")
		require.NoError(t, err)
		require.True(t, found, "%s holds node-rebalancer.json", key(o))
		var d dashboardModel
		require.NoError(t, json.Unmarshal([]byte(raw), &d), "the dashboard is JSON")
		return d
	}
	require.FailNow(t, "deploy/monitoring has no dashboard ConfigMap")
	return dashboardModel{}
}

// dashboardQueries checks the dashboard's shape and lists its queries.
func dashboardQueries(t *testing.T, d dashboardModel) []query {
	t.Helper()
	require.NotEmpty(t, d.UID, "a provisioned dashboard keeps its uid across imports")
	require.NotEmpty(t, d.Title)
	var queries []query
	ids := map[int]bool{}
	var walk func([]dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, p := range panels {
			require.False(t, ids[p.ID], "panel id %d used twice", p.ID)
			ids[p.ID] = true
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
			for _, target := range p.Targets {
				queries = append(queries, query{where: "dashboard panel " + p.Title, expr: target.Expr})
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		expr, _ := v.Query.(string)
		if m, ok := v.Query.(map[string]any); ok {
			expr, _ = m["query"].(string)
		}
		queries = append(queries, query{where: "dashboard variable " + v.Name, expr: expr, template: true})
	}
	return queries
}

// ruleOf finds the PrometheusRule.
func ruleOf(t *testing.T, objs []*unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == "PrometheusRule" {
			require.Equal(t, "monitoring.coreos.com/v1", o.GetAPIVersion())
			return o
		}
	}
	require.FailNow(t, "deploy/monitoring has no PrometheusRule")
	return nil
}

// ruleQueries checks every alert is complete and the wanted ones exist,
// and lists their expressions.
func ruleQueries(t *testing.T, rule *unstructured.Unstructured) []query {
	t.Helper()
	groups, _, err := unstructured.NestedSlice(rule.Object, "spec", "groups")
	require.NoError(t, err)
	var queries []query
	var alerts []string
	for _, g := range groups {
		rules, _, err := unstructured.NestedSlice(g.(map[string]any), "rules")
		require.NoError(t, err)
		for _, r := range rules {
			r := r.(map[string]any)
			name, _ := r["alert"].(string)
			expr, _ := r["expr"].(string)
			require.NotEmpty(t, name, "a rule without an alert name: %v", r)
			severity, _, _ := unstructured.NestedString(r, "labels", "severity")
			summary, _, _ := unstructured.NestedString(r, "annotations", "summary")
			require.NotEmpty(t, severity, "alert %s has a severity", name)
			require.NotEmpty(t, summary, "alert %s has a summary", name)
			alerts = append(alerts, name)
			queries = append(queries, query{where: "alert " + name, expr: expr})
		}
	}
	for _, want := range wantAlerts {
		require.True(t, slices.Contains(alerts, want), "alert %s is missing (have %v)", want, alerts)
	}
	return queries
}
