// Package service assembles the Analyzer on a server: informer caches of
// the cluster, the cached VPSie catalogue, the live reads of managed
// clusters and user-data Secrets, the analysis and its gRPC face,
// the readiness dependencies, and the goroutines that keep the caches
// current. The binary and the end-to-end tests share it, so the tests run
// the wiring that ships.
package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/api"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
)

// Cloud is what the Analyzer reads of VPSie: the catalogue and quota,
// refreshed in the background, and managed clusters' VPSie node groups,
// read per analysis.
type Cloud interface {
	catalogue.Source
	cloud.ManagedKubernetes
}

// Deps are what the Analyzer runs on.
type Deps struct {
	Kube   kubernetes.Interface
	Groups autoscaler.Interface
	// Cloud is the VPSie catalogue, quota and Managed Kubernetes (the HTTP
	// client in production).
	Cloud Cloud
	// Clock times analyses and catalogue refreshes.
	Clock clock.Clock
	// CatalogueRefresh is the time between catalogue refreshes.
	CatalogueRefresh time.Duration
	// Limits override checks.DefaultLimits when set.
	Limits *checks.Limits
}

// Setup registers the Analyzer on s and starts filling its caches; they
// stop when s stops. The service is NOT_SERVING until the API server
// answers, every informer cache has synced and a catalogue is loaded.
func Setup(s *server.Server, d Deps) error {
	if d.CatalogueRefresh <= 0 {
		return errors.New("--catalogue-refresh must be positive")
	}
	informers, err := state.NewInformers(d.Kube, d.Groups)
	if err != nil {
		return fmt.Errorf("informers: %w", err)
	}
	cat := catalogue.New(d.Cloud, d.Clock, d.CatalogueRefresh)
	limits := checks.DefaultLimits(d.CatalogueRefresh)
	if d.Limits != nil {
		limits = *d.Limits
	}
	analyzer, err := analysis.New(analysis.Options{
		State: informers, Catalogue: cat, KubeGroups: d.Cloud, Secrets: d.Kube.CoreV1(),
		APIServer: kube.Readyz(d.Kube), Clock: d.Clock,
		Limits: limits, Registry: s.Registry(),
	})
	if err != nil {
		return err
	}
	api.New(analyzer).Register(s)
	s.Depend(server.Dependency{Name: "kubernetes", Check: kube.Readyz(d.Kube)})
	s.Depend(server.Dependency{Name: "informer caches", Check: informers.Ready})
	s.Depend(server.Dependency{Name: "vpsie catalogue", Check: cat.Ready})
	startBackground(s, informers, cat)
	return nil
}

// startBackground runs the informers and the catalogue refresh until the
// server stops; they keep the caches current through the drain period.
func startBackground(s *server.Server, informers *state.Informers, cat *catalogue.Cache) {
	ctx, cancel := context.WithCancel(context.Background())
	informers.Start(ctx)
	refreshed := make(chan struct{})
	go func() { cat.Run(ctx); close(refreshed) }()
	s.OnStop(func(stopCtx context.Context) error {
		cancel()
		informers.Stop()
		select {
		case <-refreshed:
			return nil
		case <-stopCtx.Done():
			return fmt.Errorf("catalogue refresh did not stop: %w", stopCtx.Err())
		}
	})
}
