package state_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// heapAfterGC is the live heap once garbage is collected.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkInformerCacheMemory measures the heap the informer caches hold
// for 500 nodes and 10,000 pods (with the managed fields a real API server
// writes), against the same objects kept as listed. Run it once:
//
//	go test -run XXX -bench InformerCacheMemory -benchtime 1x ./internal/state/
func BenchmarkInformerCacheMemory(b *testing.B) {
	objects := testobj.Cluster(10, 50, 20)
	var kubeObjects, groupObjects []k8sruntime.Object
	for _, o := range objects {
		if _, ok := o.(*v1alpha1.NodeGroup); ok {
			groupObjects = append(groupObjects, o)
		} else {
			kubeObjects = append(kubeObjects, o)
		}
	}
	b.Run("informers_slimmed", func(b *testing.B) {
		kube, groups := fake.NewClientset(kubeObjects...), autoscalerfake.NewClientset(groupObjects...)
		for b.Loop() {
			before := heapAfterGC()
			inf, err := state.NewInformers(kube, groups)
			require.NoError(b, err)
			ctx, cancel := context.WithCancel(context.Background())
			inf.Start(ctx)
			require.Eventually(b, inf.Synced, time.Minute, 10*time.Millisecond)
			b.ReportMetric(float64(heapAfterGC()-before)/(1<<20), "cache-MiB")
			require.Len(b, inf.Nodes(), 500)
			cancel()
			inf.Stop()
		}
	})
	b.Run("as_listed", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			copies := make([]k8sruntime.Object, len(objects))
			for i, o := range objects {
				copies[i] = o.DeepCopyObject()
			}
			b.ReportMetric(float64(heapAfterGC()-before)/(1<<20), "cache-MiB")
			runtime.KeepAlive(copies)
		}
	})
}
