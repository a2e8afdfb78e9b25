package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseDollarsIsExact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"0": 0, "144": 14400, "144.5": 14450, "$0.29": 29, " 12.05 ": 1205} {
		got, err := parseDollars(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-1", "+1", "1.", ".5", "1.234", "1.2x", "12,50", "abc"} {
		_, err := parseDollars(in)
		require.Error(t, err, in)
	}
}
