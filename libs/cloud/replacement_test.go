package cloud

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplacementTagReadsBackAmongOtherTags(t *testing.T) {
	t.Parallel()
	r := Replacement{Installation: "prod", Execution: "exec-0123", OldNode: "web-1.example"}
	got, ok := ReplacementOf([]string{"team-a", LabelTagPrefix + "a=b", r.Tag()})
	require.True(t, ok)
	require.Equal(t, r, got)
	for _, bad := range []string{"rebalancer:prod/exec-1", "rebalancer://old", "rebalancer:prod//old", "other"} {
		_, ok := ReplacementOf([]string{bad})
		require.False(t, ok, bad)
	}
}
