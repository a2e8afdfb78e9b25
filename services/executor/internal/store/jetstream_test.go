package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/natsbus/natstest"
)

// EmbeddedJetStream is JetStream on an embedded NATS server of the test's
// own (natstest.JetStream); the package's external tests use it too.
var EmbeddedJetStream = natstest.JetStream

// openTestKV is the store over EmbeddedJetStream.
func openTestKV(t testing.TB) *KV {
	t.Helper()
	kv, err := OpenKV(t.Context(), EmbeddedJetStream(t), 1)
	require.NoError(t, err)
	return kv
}
