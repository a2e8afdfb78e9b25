package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/identity"
)

func TestContextCarriesTheCaller(t *testing.T) {
	t.Parallel()
	_, ok := identity.FromContext(context.Background())
	require.False(t, ok, "a context that went through no authentication has no caller")
	jane := identity.Identity{User: "jane", Groups: []string{"ops"}, Source: identity.SourceToken}
	got, ok := identity.FromContext(identity.NewContext(t.Context(), jane))
	require.True(t, ok)
	require.Equal(t, jane, got)
	require.Equal(t, `"jane" (token)`, jane.String())
	other := jane
	other.Groups = []string{"admins"}
	require.NotEqual(t, jane.Key(), other.Key(), "groups are part of who calls")
}
