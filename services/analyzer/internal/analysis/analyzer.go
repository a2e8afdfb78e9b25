// Package analysis is the Analyzer's domain: it reads a group from the
// caches, runs the safety checks, scores and orders the candidates,
// validates the opportunity's savings against catalogue prices, and
// derives the verdict. It never writes and never lists the cluster.
package analysis

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/clock"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// State is the cluster as the informer caches hold it.
type State interface {
	facts.Reader
	Synced() bool
	NodeGroup(namespace, name string) (*v1alpha1.NodeGroup, bool)
	GroupNodes(group string) []*corev1.Node
	Nodes() []*corev1.Node
}

// Catalogue is the cached VPSie catalogue.
type Catalogue interface {
	Snapshot() (*catalogue.Snapshot, error)
}

// Options are the Analyzer's dependencies, all required.
type Options struct {
	State     State
	Catalogue Catalogue
	// KubeGroups lists managed clusters' VPSie node groups (the VPSie API).
	KubeGroups KubeGroups
	// Secrets reads vm-mode groups' user-data Secrets (the API server).
	Secrets corev1client.SecretsGetter
	// APIServer asks the API server's /readyz; nil error when ready.
	APIServer func(context.Context) error
	Clock     clock.PassiveClock
	Limits    checks.Limits
	// Registry receives the safety check counters.
	Registry prometheus.Registerer
}

// Analyzer answers AnalyzeRebalance and ValidateRebalanceSafety.
type Analyzer struct {
	opts    Options
	metrics *metrics
}

// New checks opts and registers the metrics.
func New(opts Options) (*Analyzer, error) {
	if opts.State == nil || opts.Catalogue == nil || opts.KubeGroups == nil || opts.Secrets == nil ||
		opts.APIServer == nil || opts.Clock == nil || opts.Registry == nil {
		return nil, errors.New("analysis: state, catalogue, VPSie groups, secrets, API server check, clock and registry are required")
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	return &Analyzer{opts: opts, metrics: m}, nil
}

// group reads a group and its policy, refusing an unknown or disabled one.
func (a *Analyzer) group(namespace, name string) (*v1alpha1.NodeGroup, *rebalancerv1.RebalancePolicy, error) {
	if !a.opts.State.Synced() {
		return nil, nil, ErrNotSynced
	}
	ng, ok := a.opts.State.NodeGroup(namespace, name)
	if !ok {
		return nil, nil, &GroupNotFoundError{Namespace: namespace, Name: name}
	}
	p := policy.FromSpec(ng.Spec.Rebalancing)
	if !p.GetEnabled() {
		return nil, nil, &DisabledError{Namespace: namespace, Name: name}
	}
	return ng, p, nil
}

// input assembles what the checks read, the API server asked once.
func (a *Analyzer) input(ctx context.Context, ng *v1alpha1.NodeGroup, p *rebalancerv1.RebalancePolicy, members []*facts.Member) *checks.Input {
	return &checks.Input{
		Now:          a.opts.Clock.Now(),
		Group:        ng,
		Policy:       p,
		Members:      members,
		ClusterNodes: a.opts.State.Nodes(),
		APIServer:    a.opts.APIServer(ctx),
		Limits:       a.opts.Limits,
	}
}
