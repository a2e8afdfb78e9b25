package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// syncedCache is a GroupCache over groups, synced, stopped at cleanup.
func syncedCache(t *testing.T, groups *autoscalerfake.Clientset) *GroupCache {
	t.Helper()
	c := NewGroupCache(groups, "")
	c.Start(t.Context())
	t.Cleanup(c.Stop)
	require.NoError(t, c.WaitForSync(t.Context()))
	require.NoError(t, c.Ready(t.Context()))
	return c
}

// liveGets counts the NodeGroup reads that reached the cluster.
func liveGets(groups *autoscalerfake.Clientset) int {
	n := 0
	for _, a := range groups.Actions() {
		if a.GetVerb() == "get" && a.GetResource().Resource == "nodegroups" {
			n++
		}
	}
	return n
}

// A group an execution of the installation holds is read from the watch;
// a write goes to the cluster and comes back through the watch.
func TestTheGroupCacheServesAHeldGroupFromItsWatchAndWritesLive(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	g := webGroup(nil)
	g.Status.ActiveExecution = &v1alpha1.ActiveExecution{ExecutionID: "exec-1", Installation: DefaultInstallation}
	groups := autoscalerfake.NewClientset(g)
	c := syncedCache(t, groups)
	cached := c.NodeGroups("shop")

	ng, err := cached.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	ng.Spec.Rebalancing.Enabled = ptr.To(false) // a copy: the cache is not changed
	again, err := cached.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	require.NotEqual(t, ptr.To(false), again.Spec.Rebalancing.Enabled)

	again.Status.ReadyNodes = 7
	_, err = cached.UpdateStatus(ctx, again, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ng, err := cached.Get(ctx, "web", metav1.GetOptions{})
		return err == nil && ng.Status.ReadyNodes == 7
	}, 5*time.Second, 10*time.Millisecond)
	require.Zero(t, liveGets(groups), "every read from the cache")
}

// A group no execution of the installation holds, or one the cache does
// not know yet, is read live: an acceptance judges the group as it is.
func TestTheGroupCacheReadsAGroupNotHeldHereLive(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	foreign := webGroup(nil)
	foreign.Status.ActiveExecution = &v1alpha1.ActiveExecution{ExecutionID: "exec-9", Installation: "blue"}
	groups := autoscalerfake.NewClientset(foreign)
	c := syncedCache(t, groups)

	_, err := c.NodeGroups("shop").Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, liveGets(groups), "held by another installation")
	_, err = c.NodeGroups("other").Get(ctx, "web", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "not in the cache, nor in the cluster: %v", err)
	require.Equal(t, 2, liveGets(groups))
}

// Until it has synced (tests that never start it), a read goes live.
func TestAGroupCacheNotSyncedReadsLive(t *testing.T) {
	t.Parallel()
	groups := autoscalerfake.NewClientset(webGroup(nil))
	c := NewGroupCache(groups, "")
	require.Error(t, c.Ready(t.Context()))
	_, err := c.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, liveGets(groups))
	c.Stop() // never started: nothing to wait for
}

// A running execution's guards, before every batch, and its policy reads
// read the group from the cache once it holds the lock; a rule the group
// sets afterwards still stops it at the next guard.
func TestARunningExecutionsGuardsAndPolicyReadsStayOffTheCluster(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := newUnit(t)
	u.addNodes(t, "old-0")
	c := syncedCache(t, u.groups)
	u.x.deps.checker.Groups = c
	var rec *store.Record
	u.x.view(func(r *store.Record) { rec = r.Clone() })
	guard := func() error { return guardLive(ctx, u.x.deps, rec, guardAt(u.x.deps, rec, false)) }

	require.NoError(t, guard(), "takes the lock: read live, written")
	require.Equal(t, 2, liveGets(u.groups), "the group not held yet: the guards and the lock read live")
	require.Eventually(t, func() bool {
		obj, ok, err := c.informer.GetIndexer().GetByKey("shop/web")
		return err == nil && ok && obj.(*v1alpha1.NodeGroup).Status.ActiveExecution != nil
	}, 5*time.Second, 10*time.Millisecond, "the watch brings the lock")
	before := liveGets(u.groups)
	for range 3 {
		require.NoError(t, guard())
		_, err := stepView{u.x}.LivePolicy(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, before, liveGets(u.groups), "no read of the cluster per batch or per step")

	u.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Enabled = ptr.To(false) })
	require.Eventually(t, func() bool {
		r, refused := accept.AsRefusal(guard())
		return refused && r.Rule == accept.RuleEnabled
	}, 5*time.Second, 10*time.Millisecond, "the group disabled stops the next batch")
}

// A lock the cache shows free or foreign is read again live before it is
// refused or taken: a copy a moment old never decides it.
func TestTheLockIsDecidedOnALiveRead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := newUnit(t)
	stale := u.group(t) // the lock free, as a cache a moment behind shows it
	ng := u.group(t)
	ng.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: "another", ExecutionID: "exec-other",
		Installation: DefaultInstallation, StartTime: metav1.NewTime(u.clock.Now())}
	_, err := u.groups.NodeGroups("shop").UpdateStatus(ctx, ng, metav1.UpdateOptions{})
	require.NoError(t, err)
	// exec-other is missing from the store but took the lock just now:
	// not stale (lockGrace).

	err = takeGroup(ctx, u.x.deps, stale, u.x.plan(), "exec-1")
	r, refused := accept.AsRefusal(err)
	require.True(t, refused, "refused on the live read: %v", err)
	require.Equal(t, accept.RuleOneAtATime, r.Rule)
}
