package engine

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// FuzzPageToken reads any ListExecutions page token: decodeToken never
// panics, refuses with ErrBadPageToken, and a token it reads names a
// position that encodes to a token read back as the same position.
func FuzzPageToken(f *testing.F) {
	at := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	f.Add(encodeToken(&store.Record{AcceptedAt: at, State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1a2b"}}))
	f.Add(encodeToken(&store.Record{AcceptedAt: time.Unix(0, 0), State: &rebalancerv1.ExecutionState{ExecutionId: "x/y"}}))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("-5/exec")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("99999999999999999999/exec")))
	f.Add("not base64!")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		after, err := decodeToken(token)
		if err != nil {
			require.ErrorIs(t, err, ErrBadPageToken)
			require.Nil(t, after)
			return
		}
		if token == "" {
			require.Nil(t, after, "no token: the first page")
			return
		}
		require.NotEmpty(t, after.State.GetExecutionId())
		again, err := decodeToken(encodeToken(after))
		require.NoError(t, err)
		require.True(t, after.AcceptedAt.Equal(again.AcceptedAt))
		require.Equal(t, after.State.GetExecutionId(), again.State.GetExecutionId())
		require.Zero(t, newestFirst(after, again), "the same position")
	})
}
