package store

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/natsbus"
)

// EmbeddedJetStream is JetStream on an embedded NATS server of the test's
// own, stopped when it ends; the package's external tests use it too.
func EmbeddedJetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	srv, err := natsbus.StartEmbedded("127.0.0.1", -1, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return js
}

// openTestKV is the store over EmbeddedJetStream.
func openTestKV(t testing.TB) *KV {
	t.Helper()
	kv, err := OpenKV(t.Context(), EmbeddedJetStream(t), 1)
	require.NoError(t, err)
	return kv
}
