package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newTestFlags(env map[string]string) *Flags {
	f := New("test", "PLANNER")
	f.lookup = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return f
}

func TestFlagsPreferFlagThenEnvThenDefault(t *testing.T) {
	t.Parallel()
	f := newTestFlags(map[string]string{"PLANNER_GRPC_ADDR": "127.0.0.1:1", "PLANNER_DRAIN_PERIOD": "3s", "KUBECONFIG": "/k", "PLANNER_REPLICAS": "3"})
	var addr, metrics, kube string
	var drain time.Duration
	var verbose bool
	var replicas int
	f.String(&addr, "grpc-addr", ":9090", "gRPC address")
	f.String(&metrics, "metrics-addr", ":8080", "metrics address")
	f.StringFromEnv(&kube, "kubeconfig", "KUBECONFIG", "", "kubeconfig")
	f.Duration(&drain, "drain-period", time.Second, "drain")
	f.Bool(&verbose, "verbose", false, "verbose")
	f.Int(&replicas, "replicas", 1, "replicas")
	require.NoError(t, f.Parse([]string{"--metrics-addr", "127.0.0.1:2"}))
	require.Equal(t, "127.0.0.1:1", addr)
	require.Equal(t, "127.0.0.1:2", metrics)
	require.Equal(t, "/k", kube)
	require.Equal(t, 3*time.Second, drain)
	require.False(t, verbose)
	require.Equal(t, 3, replicas)
}

func TestMalformedEnvironmentIsAnError(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{"drain-period": "soon", "replicas": "three"} {
		f := newTestFlags(map[string]string{"PLANNER_" + envCase(name): value})
		var drain time.Duration
		var replicas int
		f.Duration(&drain, "drain-period", time.Second, "drain")
		f.Int(&replicas, "replicas", 1, "replicas")
		err := f.Parse(nil)
		require.ErrorContains(t, err, "PLANNER_"+envCase(name))
	}
}
