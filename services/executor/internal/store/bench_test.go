package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// What a replica's scan reads every few seconds from a bucket holding
// 2,000 finished executions and 10 unfinished ones: every record (List)
// or the watch-fed index (Unfinished).
func BenchmarkScanSources(b *testing.B) {
	kv := openKV(b)
	for i := range 2010 {
		r := record(fmt.Sprintf("exec-%04d", i))
		if i >= 10 {
			r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
		}
		_, err := kv.Create(b.Context(), r)
		require.NoError(b, err)
	}
	require.Eventually(b, func() bool {
		recs, err := kv.Unfinished(b.Context())
		return err == nil && len(recs) == 10
	}, 30*time.Second, 10*time.Millisecond)
	for name, read := range map[string]func() ([]*store.Record, error){
		"List":       func() ([]*store.Record, error) { return kv.List(b.Context()) },
		"Unfinished": func() ([]*store.Record, error) { return kv.Unfinished(b.Context()) },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, err := read()
				require.NoError(b, err)
			}
		})
	}
}
