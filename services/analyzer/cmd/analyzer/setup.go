package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/service"
)

// setup is the Analyzer's composition root: configuration first (a
// mistake there ends the program at once, in one line), then the clients,
// then the service.
func (o *options) setup(_ context.Context, s *server.Server) error {
	restConfig, err := kube.RESTConfig(o.kubeconfig, "rebalancer-analyzer")
	if err != nil {
		return err
	}
	token, err := vpsie.LoadToken(o.vpsieTokenFile, "ANALYZER_VPSIE_TOKEN_FILE", os.LookupEnv)
	if err != nil {
		return err
	}
	if o.vpsieOS == "" {
		return errors.New("--vpsie-os-identifier (or ANALYZER_VPSIE_OS_IDENTIFIER) is required: VPSie prices plans per OS image")
	}
	cloud, err := vpsie.New(vpsie.Options{BaseURL: o.vpsieURL, Token: token, OSIdentifier: o.vpsieOS, Logger: s.Logger()})
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	// Its own service account reviews callers' tokens and calls (--auth).
	s.UseKubernetesAuth(client)
	groups, err := autoscaler.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	if o.scaleUpCooldown < 0 {
		return errors.New("--scale-up-cooldown must not be negative")
	}
	limits := checks.DefaultLimits(o.catalogueRefresh)
	limits.ScaleUpCooldown = o.scaleUpCooldown
	return service.Setup(s, service.Deps{
		Kube: client, Groups: groups, Cloud: cloud, Clock: clock.RealClock{}, CatalogueRefresh: o.catalogueRefresh,
		Limits: &limits,
	})
}
