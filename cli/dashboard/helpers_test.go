package dashboard_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func names(msgs []sseMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.event
	}
	return out
}

// findKind is the first progress message relaying an event of kind.
func findKind(t *testing.T, msgs []sseMessage, kind string) sseMessage {
	t.Helper()
	for _, m := range msgs {
		if m.data["event"].(map[string]any)["kind"] == kind {
			return m
		}
	}
	require.FailNow(t, "no "+kind+" event")
	return sseMessage{}
}
