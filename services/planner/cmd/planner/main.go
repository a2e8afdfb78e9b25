// Command planner serves rebalancer.v1.PlannerService: it turns analyses into
// plans. It is pure and stateless, so it needs no cluster, cloud or NATS;
// it calls the Kubernetes API only to authenticate and authorize its
// callers (--auth=kubernetes, the default), with --kubeconfig or its
// service account.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/kubernetes"

	"github.com/vpsie/node-rebalancer/libs/config"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/planner/internal/api"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "planner:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	var signingKeyFile, kubeconfig string
	return server.Run(ctx, server.Program{
		Name:      "planner",
		EnvPrefix: "PLANNER",
		Flags: func(f *config.Flags) {
			f.String(&signingKeyFile, "signing-key-file", "",
				"Ed25519 private key signing every plan, PEM PKCS#8 (openssl genpkey -algorithm ed25519); empty: plans are unsigned")
			f.StringFromEnv(&kubeconfig, "kubeconfig", "KUBECONFIG", "",
				"kubeconfig path, used only to review callers' tokens and calls (--auth=kubernetes); empty means in-cluster")
		},
		Setup: func(_ context.Context, s *server.Server) error {
			if err := useKubernetesAuth(s, kubeconfig); err != nil {
				return err
			}
			var opts []api.Option
			if signingKeyFile == "" {
				s.Logger().Warn("no --signing-key-file: plans are unsigned, and an Executor given Planner public keys refuses them")
			} else {
				signer, err := plansign.LoadSigner(signingKeyFile)
				if err != nil {
					return err
				}
				s.Logger().Info("signing plans", "key_id", signer.KeyID())
				opts = append(opts, api.WithSigner(signer))
			}
			planner, err := api.New(s.Registry(), opts...)
			if err != nil {
				return err
			}
			planner.Register(s)
			return nil
		},
	}, args)
}

// useKubernetesAuth gives the server a client for TokenReview and
// SubjectAccessReview when it authenticates callers; the Planner calls the
// Kubernetes API for nothing else.
func useKubernetesAuth(s *server.Server, kubeconfig string) error {
	if !s.AuthRequired() {
		return nil
	}
	restConfig, err := kube.RESTConfig(kubeconfig, "rebalancer-planner")
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	s.UseKubernetesAuth(client)
	return nil
}
