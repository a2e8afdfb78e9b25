package naming_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
)

func TestHostnameIsADeterministicDNSLabel(t *testing.T) {
	t.Parallel()
	for name, old := range map[string]string{
		"short":            "web-0",
		"dotted subdomain": "ip-10-0-0-1.ec2.internal",
		"very long":        strings.Repeat("node", 40),
		"only symbols":     "...",
	} {
		h := naming.Hostname("plan-0123456789abcdef0123", old, 1)
		require.Empty(t, validation.IsDNS1123Label(h), name)
		require.LessOrEqual(t, len(h), 63, name)
		require.Equal(t, h, naming.Hostname("plan-0123456789abcdef0123", old, 1), name)
		require.NotEqual(t, h, naming.Hostname("plan-ffffffffffffffffffff", old, 1), "%s: another plan, another VM", name)
	}
	require.True(t, strings.HasPrefix(naming.Hostname("plan-1", "web-0", 1), "web-0-"))
}

func TestEachAttemptGetsItsOwnHostname(t *testing.T) {
	first := naming.Hostname("plan-1", "web-0", 1)
	second := naming.Hostname("plan-1", "web-0", 2)
	require.NotEqual(t, first, second, "a retried join must never find the VM it is deleting")
	require.Equal(t, second, naming.Hostname("plan-1", "web-0", 2), "a resumed attempt finds its own VM")
	require.True(t, strings.HasPrefix(second, "web-0-"))
}

func TestExecutionIDFollowsThePlanID(t *testing.T) {
	t.Parallel()
	require.Equal(t, "exec-0123456789abcdef0123", naming.ExecutionID("plan-0123456789abcdef0123"))
}
