// Package invariants watches a node group while something rebalances it
// and reports every moment the design's invariants did not hold: the
// capacity floor, make before break, PodDisruptionBudgets, and at the end
// no orphan VMs and no stranded cordons. Checks run in informer event
// handlers as the cluster changes, not only at the end, so a dip that lasts
// a few hundred milliseconds is still caught.
//
//	m, err := invariants.Start(ctx, invariants.Config{...})
//	... run the rebalance ...
//	require.Empty(t, m.Finish(ctx))
package invariants

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// TaintPrefix marks the rebalancer's own taints; none may remain at the end.
const TaintPrefix = "rebalancer.autoscaler.vpsie.io/"

// Config says what to watch and what must hold.
type Config struct {
	Client kubernetes.Interface
	// Namespace holds the workloads and PDBs to watch.
	Namespace string
	// Group is the NodeGroup whose nodes are watched.
	Group string
	// Floor is the least number of Ready, schedulable (not cordoned) group
	// nodes at every moment.
	Floor int
	// OldNodes are the nodes being replaced; every other group node that
	// appears counts as a replacement.
	OldNodes []string
	// BlueGreen: no old node may be cordoned before as many replacements as
	// old nodes are Ready (the whole green set). Otherwise each cordoned or
	// removed old node needs a Ready replacement of its own.
	BlueGreen bool
	// VMs lists the cloud's VMs, for the end checks.
	VMs cloud.VMs
	// Cluster, when set, is the group's VPSie managed cluster, whose nodes
	// are the group's machines in the end checks instead of VMs.
	Cluster *ManagedCluster
	// Forced returns the pods ("namespace/name") deliberately deleted past
	// their budget and reported as such; they are not PDB violations.
	Forced func() []string
	// Grace is how long after a pod's deletion the PDB check waits for the
	// budget's record of the eviction to arrive (default 2s).
	Grace time.Duration
}

// Violation is one moment an invariant did not hold.
type Violation struct {
	Invariant string
	Message   string
	At        time.Time
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s (at %s)", v.Invariant, v.Message, v.At.Format(time.RFC3339Nano))
}

// Monitor watches until Finish.
type Monitor struct {
	cfg     Config
	stop    chan struct{}
	nodes   cache.SharedIndexInformer
	pods    cache.SharedIndexInformer
	pdbs    cache.SharedIndexInformer
	oldVMs  map[string]string // old node → VM identifier
	initial map[string]bool   // group nodes at Start: not replacements
	synced  atomic.Bool       // node checks start once the initial list is in
	pending sync.WaitGroup    // delayed PDB checks

	mu         sync.Mutex
	violations []Violation
	disrupted  map[string]bool // "namespace/pod" seen in a PDB's disruptedPods
	finishing  bool            // set by Finish: no new delayed checks
}

// Start begins watching and returns once the informers have synced.
func Start(ctx context.Context, cfg Config) (*Monitor, error) {
	if cfg.Grace == 0 {
		cfg.Grace = 2 * time.Second
	}
	if cfg.Forced == nil {
		cfg.Forced = func() []string { return nil }
	}
	m := &Monitor{cfg: cfg, stop: make(chan struct{}), oldVMs: map[string]string{}, initial: map[string]bool{}, disrupted: map[string]bool{}}
	nodeFactory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = v1alpha1.LabelNodeGroup + "=" + cfg.Group }))
	nsFactory := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0, informers.WithNamespace(cfg.Namespace))
	m.nodes = nodeFactory.Core().V1().Nodes().Informer()
	m.pods = nsFactory.Core().V1().Pods().Informer()
	m.pdbs = nsFactory.Policy().V1().PodDisruptionBudgets().Informer()
	if err := m.handle(); err != nil {
		return nil, err
	}
	nodeFactory.Start(m.stop)
	nsFactory.Start(m.stop)
	if !cache.WaitForCacheSync(ctx.Done(), m.nodes.HasSynced, m.pods.HasSynced, m.pdbs.HasSynced) {
		close(m.stop)
		return nil, fmt.Errorf("invariants: informers did not sync: %w", ctx.Err())
	}
	m.mu.Lock()
	for _, key := range m.nodes.GetStore().ListKeys() {
		m.initial[key] = true
	}
	m.mu.Unlock()
	m.synced.Store(true)
	for _, name := range cfg.OldNodes {
		if obj, ok, _ := m.nodes.GetStore().GetByKey(name); ok {
			id, _ := v1alpha1.VMIdentifier(obj.(*corev1.Node).Spec.ProviderID)
			m.oldVMs[name] = id
		}
	}
	m.checkNodes()
	return m, nil
}

func (m *Monitor) handle() error {
	nodeEvents := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { m.checkNodes() },
		UpdateFunc: func(any, any) { m.checkNodes() },
		DeleteFunc: func(any) { m.checkNodes() },
	}
	if _, err := m.nodes.AddEventHandler(nodeEvents); err != nil {
		return err
	}
	if _, err := m.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: m.podUpdated,
		DeleteFunc: m.podDeleted,
	}); err != nil {
		return err
	}
	_, err := m.pdbs.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    m.pdbSeen,
		UpdateFunc: func(_, obj any) { m.pdbSeen(obj) },
	})
	return err
}

func (m *Monitor) violate(invariant, format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.violations = append(m.violations, Violation{Invariant: invariant, Message: fmt.Sprintf(format, args...), At: time.Now()})
}

// Finish stops watching, runs the end checks and returns every violation.
// It first lets a grace period pass, so the events of the last changes are
// handled and their delayed checks have started.
func (m *Monitor) Finish(ctx context.Context) []Violation {
	select {
	case <-time.After(m.cfg.Grace):
	case <-ctx.Done():
	}
	m.mu.Lock()
	m.finishing = true
	m.mu.Unlock()
	m.pending.Wait()
	m.checkEnd(ctx)
	close(m.stop)
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Violation(nil), m.violations...)
}

// ManagedCluster is a VPSie managed cluster the group alone runs in.
type ManagedCluster struct {
	API cloud.ManagedKubernetes
	ID  string
}
