// Package natstest starts what tests need of NATS: an embedded server with
// JetStream, the test's own, stopped when the test ends.
package natstest

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/natsbus"
)

// JetStream is JetStream on an embedded NATS server of the test's own.
func JetStream(t testing.TB) jetstream.JetStream {
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
