package main

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/api"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
)

// setup is the Analyzer's composition root: configuration first (a
// mistake there ends the program at once), then the clients, the caches
// and the service, and last the goroutines that fill the caches.
func (o *options) setup(_ context.Context, s *server.Server) error {
	restConfig, err := kube.RESTConfig(o.kubeconfig, "rebalancer-analyzer")
	if err != nil {
		return err
	}
	token, err := o.token()
	if err != nil {
		return err
	}
	if o.vpsieOS == "" {
		return errors.New("--vpsie-os-identifier (or ANALYZER_VPSIE_OS_IDENTIFIER) is required: VPSie prices plans per OS image")
	}
	if o.catalogueRefresh <= 0 {
		return errors.New("--catalogue-refresh must be positive")
	}
	cloud, err := vpsie.New(vpsie.Options{BaseURL: o.vpsieURL, Token: token, OSIdentifier: o.vpsieOS, Logger: s.Logger()})
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	groups, err := autoscaler.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	informers, err := state.NewInformers(client, groups)
	if err != nil {
		return fmt.Errorf("informers: %w", err)
	}
	cat := catalogue.New(cloud, clock.RealClock{}, o.catalogueRefresh)
	analyzer, err := analysis.New(analysis.Options{
		State: informers, Catalogue: cat, APIServer: kube.Readyz(client), Clock: clock.RealClock{},
		Limits: checks.DefaultLimits(o.catalogueRefresh), Registry: s.Registry(),
	})
	if err != nil {
		return err
	}
	api.New(analyzer, s.Logger()).Register(s.GRPC())
	s.Depend(server.Dependency{Name: "kubernetes", Check: kube.Readyz(client)})
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
