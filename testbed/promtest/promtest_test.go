package promtest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPrometheusAnswersTheGaugeTheTestSets(t *testing.T) {
	t.Parallel()
	p := Start(t)
	p.Set(0.25)
	require.Eventually(t, func() bool {
		body, err := read(p.URL + "/api/v1/query?query=" + Metric)
		return err == nil && containsValue(body, "0.25")
	}, 15*time.Second, 200*time.Millisecond)
}

func containsValue(body, v string) bool {
	return strings.Contains(body, `"`+v+`"`)
}
