package service

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

func TestTheDefaultDataDirIsTheUsersStateFolder(t *testing.T) {
	t.Parallel()
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	require.Equal(t, "/state/node-rebalancer/executor", DefaultDataDir(env(map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/ann"})))
	require.Equal(t, "/home/ann/.local/state/node-rebalancer/executor", DefaultDataDir(env(map[string]string{"HOME": "/home/ann"})))
	require.Equal(t, "/home/ann/.local/state/node-rebalancer/executor",
		DefaultDataDir(env(map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/ann"})), "XDG paths must be absolute")
	require.Empty(t, DefaultDataDir(env(nil)))
}

// The embedded server needs a data folder, or an explicit temporary one.
func TestAnEmbeddedStoreNeedsADataDirOrTheEphemeralFlag(t *testing.T) {
	t.Parallel()
	o := Options{NATS: NATS{Listen: "127.0.0.1:-1"}, NATSReplicas: 1, Replica: "r", LeaseTTL: engine.DefaultLeaseTTL,
		Roles: engine.Roles{Execute: true}}
	require.ErrorContains(t, o.Check(), "--data-dir")
	o.NATS.Ephemeral = true
	require.NoError(t, o.Check())
	o.NATS.Ephemeral, o.NATS.DataDir = false, "/var/lib/x"
	require.NoError(t, o.Check())
	o.NATS.DataDir, o.NATS.URL = "", "nats://nats:4222"
	require.NoError(t, o.Check(), "an external NATS needs no data folder")
	o.Installation = "a/b"
	require.ErrorContains(t, o.Check(), "--installation")
}
