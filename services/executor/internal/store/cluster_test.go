package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// With --nats-replicas 3 on a three-server NATS cluster (what deploy/
// runs), the executions bucket outlives the server leading it: the record
// is read and updated through the others after it stops.
func TestTheBucketOutlivesTheServerLeadingIt(t *testing.T) {
	t.Parallel()
	servers := startCluster(t, 3)
	js := clusterClient(t, servers)
	ctx := t.Context()
	kv := openReplicatedKV(t, js)
	created, err := kv.Create(ctx, record("exec-a"))
	require.NoError(t, err)

	info := bucketInfo(t, js)
	require.Equal(t, 3, info.Config.Replicas)
	stopServer(t, servers, info.Cluster.Leader)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := kv.Get(ctx, "exec-a")
		if !assert.NoError(c, err) {
			return
		}
		assert.Equal(c, created.Revision, got.Revision)
		got.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
		_, err = kv.Update(ctx, got)
		assert.NoError(c, err, "written through the servers left")
	}, 30*time.Second, 100*time.Millisecond)
	require.NotEqual(t, info.Cluster.Leader, bucketInfo(t, js).Cluster.Leader, "another server leads it")
}

// startCluster runs n nats-servers with JetStream, routed to each other.
func startCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	ports := servicetest.FreePorts(t, n)
	routes := make([]string, n)
	for i := range ports {
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[i])
	}
	servers := make([]*server.Server, n)
	for i := range servers {
		srv, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("nats-%d", i), Host: "127.0.0.1", Port: -1, NoSigs: true,
			JetStream: true, StoreDir: t.TempDir(),
			Cluster: server.ClusterOpts{Name: "rebalancer", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		})
		require.NoError(t, err)
		go srv.Start()
		t.Cleanup(srv.Shutdown)
		servers[i] = srv
	}
	for _, srv := range servers {
		require.True(t, srv.ReadyForConnections(10*time.Second), "%s ready", srv.Name())
	}
	return servers
}

// clusterClient connects to every server of the cluster and waits until
// JetStream has a meta leader.
func clusterClient(t *testing.T, servers []*server.Server) jetstream.JetStream {
	t.Helper()
	urls := make([]string, len(servers))
	for i, srv := range servers {
		urls[i] = srv.ClientURL()
	}
	nc, err := nats.Connect(strings.Join(urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := js.AccountInfo(t.Context())
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "JetStream cluster up")
	return js
}

// openReplicatedKV opens the bucket on three servers, retrying while the
// cluster places it.
func openReplicatedKV(t *testing.T, js jetstream.JetStream) *store.KV {
	t.Helper()
	var kv *store.KV
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		kv, err = store.OpenKV(t.Context(), js, 3)
		assert.NoError(c, err)
	}, 30*time.Second, 200*time.Millisecond)
	return kv
}

func bucketInfo(t *testing.T, js jetstream.JetStream) *jetstream.StreamInfo {
	t.Helper()
	var info *jetstream.StreamInfo
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		s, err := js.Stream(t.Context(), "KV_"+store.Bucket)
		if !assert.NoError(c, err) {
			return
		}
		info, err = s.Info(t.Context())
		if assert.NoError(c, err) {
			assert.NotEmpty(c, info.Cluster.Leader, "a leader elected")
		}
	}, 30*time.Second, 100*time.Millisecond)
	return info
}

func stopServer(t *testing.T, servers []*server.Server, name string) {
	t.Helper()
	for _, srv := range servers {
		if srv.Name() == name {
			srv.Shutdown()
			srv.WaitForShutdown()
			return
		}
	}
	require.Failf(t, "no such server", "%s", name)
}
