package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRemainingFollowsThePaceSoFar(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		elapsed time.Duration
		percent int32
		planned time.Duration
		want    time.Duration
	}{
		"a quarter done in a minute leaves three":       {time.Minute, 25, time.Hour, 3 * time.Minute},
		"no progress yet leaves the plan's estimate":    {time.Minute, 0, 10 * time.Minute, 9 * time.Minute},
		"no progress past the plan's estimate leaves 0": {time.Hour, 0, 10 * time.Minute, 0},
		"done leaves nothing":                           {time.Hour, 100, time.Minute, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, remaining(c.elapsed, c.percent, c.planned))
		})
	}
}
