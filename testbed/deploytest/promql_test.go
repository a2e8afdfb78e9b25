package deploytest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// promqlWords are the PromQL words that stand where a metric name could:
// aggregations written before their "by" clause, binary operators and
// modifiers. Functions need no list: a name followed by "(" is one.
var promqlWords = map[string]bool{
	"and": true, "or": true, "unless": true, "offset": true, "bool": true, "atan2": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true, "inf": true, "nan": true, "start": true, "end": true,
}

// labelLists are the words followed by a parenthesised list of label
// names, which are not metrics.
var labelLists = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// metricNames lists the metric names a PromQL expression selects. It is a
// scanner, not a parser: enough for the expressions we write (selectors,
// functions, aggregations, binary operators, Grafana's $variables), and
// it never mistakes a label, a function or a keyword for a metric.
func metricNames(expr string) []string {
	var names []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipQuoted(expr, i)
		case c == '{':
			i = skipTo(expr, i, '}')
		case c == '[':
			i = skipTo(expr, i, ']')
		case c == '$' || isDigit(c):
			i = skipWord(expr, i+1) // a Grafana variable, a number or a duration
		case isWordStart(c):
			end := skipWord(expr, i)
			word, next := expr[i:end], nextNonSpace(expr, end)
			switch {
			case labelLists[word] && next < len(expr) && expr[next] == '(':
				end = skipTo(expr, next, ')')
			case promqlWords[word], next < len(expr) && expr[next] == '(':
			default:
				names = append(names, word)
			}
			i = end
		default:
			i++
		}
	}
	return names
}

// templateMetricNames lists the metrics of a Grafana variable's query:
// label_values(selector, label) selects from the selector only.
func templateMetricNames(query string) []string {
	const fn = "label_values("
	if inner, ok := strings.CutPrefix(strings.TrimSpace(query), fn); ok {
		inner = strings.TrimSuffix(inner, ")")
		if comma := strings.LastIndexByte(inner, ','); comma >= 0 {
			inner = inner[:comma]
		}
		return metricNames(inner)
	}
	return metricNames(query)
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isWordByte(c byte) bool  { return isWordStart(c) || isDigit(c) || c == '.' }

func skipWord(s string, i int) int {
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	return i
}

func nextNonSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	return i
}

// skipTo returns the index after the closing byte, skipping quoted text;
// brackets of one kind do not nest in the places we use it.
func skipTo(s string, i int, closing byte) int {
	for i++; i < len(s) && s[i] != closing; {
		if s[i] == '"' || s[i] == '\'' || s[i] == '`' {
			i = skipQuoted(s, i)
			continue
		}
		i++
	}
	return i + 1
}

func skipQuoted(s string, i int) int {
	quote := s[i]
	for i++; i < len(s) && s[i] != quote; i++ {
		if s[i] == '\\' && quote != '`' {
			i++
		}
	}
	return i + 1
}

func TestMetricNamesFindsOnlyMetrics(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		expr string
		want []string
	}{
		"a bare metric": {
			"up", []string{"up"},
		},
		"labels, ranges and Grafana variables are not metrics": {
			`rate(vpsie_a_total{namespace=~"$namespace", node_group="by(x)"}[$__rate_interval])`, []string{"vpsie_a_total"},
		},
		"aggregations and their by clause are not metrics": {
			`sum by (namespace, le) (increase(vpsie_b_total[5m])) / count without (x) (vpsie_c)`, []string{"vpsie_b_total", "vpsie_c"},
		},
		"operators, modifiers and numbers are not metrics": {
			"vpsie_d < 100 and changes(vpsie_d[30m]) == 0 unless vpsie_e offset 30m or vector(0) > bool 1e3",
			[]string{"vpsie_d", "vpsie_d", "vpsie_e"},
		},
		"histogram_quantile's argument is": {
			"histogram_quantile(0.9, sum by (le) (rate(vpsie_f_bucket[1h])))", []string{"vpsie_f_bucket"},
		},
		"vector matching lists labels": {
			"vpsie_g * on (namespace) group_left (node_group) vpsie_h", []string{"vpsie_g", "vpsie_h"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, metricNames(c.expr))
		})
	}
	require.Equal(t, []string{"vpsie_i"}, templateMetricNames(`label_values(vpsie_i{namespace=~"$ns"}, node_group)`))
}
