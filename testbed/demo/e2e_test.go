package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// e2eNodes keeps the suite within a few minutes on two cores; the
// scenario is the demo's otherwise.
const e2eNodes = 3

// TestDemoScenario plays `make demo` for each strategy on the package's
// sandbox, the services running as binaries, under the invariant monitor
// (watching from before the plan is submitted until after the last
// event), and requires every node replaced, no violation and no orphan.
// The strategies share the two provisioning modes between them: the
// default (managed) and `make demo MODE=vm`.
func TestDemoScenario(t *testing.T) {
	t.Parallel()
	for strategy, mode := range map[string]string{"rolling": ModeManaged, "surge": ModeVM, "blue-green": ModeManaged} {
		t.Run(strategy+"/"+mode, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			cfg := scenario(t, strategy, &out)
			cfg.Mode = mode
			sum, err := Run(t.Context(), cfg)
			t.Log("\n" + out.String())
			require.NoError(t, err)

			require.Empty(t, sum.Violations, "invariant violations")
			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, sum.Status)
			require.EqualValues(t, e2eNodes, sum.Total)
			require.EqualValues(t, e2eNodes, sum.Replaced)
			require.Zero(t, sum.Orphans, "orphan VMs in the simulator")
			require.Equal(t, map[string]int{current: e2eNodes}, sum.Before.byOffering)
			require.Equal(t, map[string]int{target: e2eNodes}, sum.After.byOffering)
			require.EqualValues(t, e2eNodes*(4800-2400), sum.Before.monthlyCents-sum.After.monthlyCents)
			require.True(t, sum.OK(), sum.Line())
		})
	}
}

// scenario is the demo's configuration on the shared sandbox, in a
// namespace of its own, removed with its nodes when the test ends.
func scenario(t *testing.T, strategy string, out *bytes.Buffer) Config {
	t.Helper()
	sb := sandboxtest.Shared()
	ns := "demo-" + strategy + "-" + randomSuffix(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Client.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{},
			metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + ns})
		_ = sb.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	})
	return Config{
		Strategy: strategy, Mode: ModeManaged, Nodes: e2eNodes, Namespace: ns, BinDir: binDir, LogDir: t.TempDir(),
		BootDelay: time.Second, Timeout: 2 * time.Minute, Sandbox: sb, Out: out,
	}
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 3)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
