// Package service assembles the Executor on a server: NATS (an external
// server, or an embedded one), the stream of progress events and the
// executions bucket on JetStream, the engine with its roles, the
// reconciler of leftovers, the rollback handler, the gRPC API and the
// readiness dependencies. The binary and the end-to-end tests share it, so
// the tests run the wiring that ships.
package service

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"k8s.io/apimachinery/pkg/util/wait"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/api"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errNotOpen: the stream and bucket are not open yet (JetStream not up).
var errNotOpen = errors.New("the event stream and the executions bucket are not open yet")

// Setup checks o, connects to NATS (starting the embedded server when o
// names none) and registers the Executor on s. The engine needs JetStream
// up, and an external NATS may come later, so it opens in the background:
// until then the API answers Unavailable and the service is NOT_SERVING,
// as it is while the cluster or NATS does not answer. Everything stops
// when s stops: the engine (running executions stop at their next wait,
// to be resumed), then the NATS connection, then the embedded server.
func Setup(s *server.Server, d Deps, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	url, err := startNATS(s, o.NATS)
	if err != nil {
		return err
	}
	natsOpts, err := o.NATS.Security.Options()
	if err != nil {
		return err
	}
	nc, err := natsbus.Connect(url, "rebalancer-executor", natsOpts...)
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("JetStream: %w", err)
	}
	// Drain after gRPC stopped, so in-flight publishes are flushed, but
	// before the embedded server (registered earlier, so it runs later) goes.
	s.OnStop(func(context.Context) error { return nc.Drain() })

	if o.PlanKeys.Len() == 0 {
		s.Logger().Warn("no --plan-public-key-file: plans are accepted unsigned and unverified; give the Planner's public keys to refuse unsigned and altered plans")
	} else {
		s.Logger().Info("plans must be signed by the Planner", "planner_keys", o.PlanKeys.KeyIDs())
	}
	grpcAPI := api.Register(s)
	// The NodeGroups the guards, the policy reads and the Events only
	// judge are read from a watch (engine.GroupCache); the group's lock
	// and status writes read live. It syncs before the engine opens.
	groups := engine.NewGroupCache(d.Groups, o.Installation)
	groups.Start(context.Background())
	steps := stepKube(s, d) // the node steps' informer caches (stepkube.go)
	deps := engine.Deps{Kube: d.Kube, StepKube: steps, Groups: d.Groups, Cloud: d.Cloud, HealthQuery: d.HealthQuery,
		Metrics: engine.NewMetrics(s.Registry()), Logger: s.Logger(), Replica: o.Replica, Installation: o.Installation,
		LeaseTTL: o.LeaseTTL, Roles: o.Roles, Pace: o.Pace, MaxPlanAge: o.MaxPlanAge, Reconcile: o.Reconcile,
		Story: engine.NewKubeStory(d.Kube, d.Groups, o.Installation, s.Logger(), engine.StoryReads(groups))}
	// Registered before the engine's stop, so they run after it: the last
	// events of stopping executions are told too, and their last guards
	// still read the cache.
	s.OnStop(func(context.Context) error { groups.Stop(); return nil })
	s.OnStop(func(context.Context) error { deps.Story.Stop(); return nil })
	s.Depend(server.Dependency{Name: "nodegroup cache", Check: groups.Ready})
	var open atomic.Bool
	s.Depend(server.Dependency{Name: "kubernetes", Check: kube.Readyz(d.Kube)})
	s.Depend(server.Dependency{Name: "nats", Check: natsbus.Ready(nc, js)})
	s.Depend(server.Dependency{Name: "executions store", Check: func(context.Context) error {
		if !open.Load() {
			return errNotOpen
		}
		return nil
	}})

	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *engine.Executor, 1)
	go func() {
		err := groups.WaitForSync(ctx)
		if err == nil {
			err = steps.Start(ctx)
		}
		var e *engine.Executor
		if err == nil {
			e, err = openEngine(ctx, js, o.NATSReplicas, deps, accept.Checker{Kube: d.Kube, Groups: groups, PlanKeys: o.PlanKeys, HealthQueries: d.HealthQuery != nil})
		}
		if err != nil {
			s.Logger().Error("executor engine not started", "error", err)
			close(started)
			return
		}
		grpcAPI.Ready(e)
		open.Store(true)
		started <- e
	}()
	s.OnStop(func(context.Context) error {
		cancel()
		if e, ok := <-started; ok {
			e.Stop()
		}
		return nil
	})
	return nil
}

// openEngine waits for JetStream, opens the event stream and the
// executions bucket and the lease bucket, and starts the scan that claims
// unowned executions (this replica's own after a restart, those of dead
// replicas, failed rollbacks due a retry), the reconciler of leftovers
// (one replica at a time) and, with the rollback role, the handler of
// failure events.
func openEngine(ctx context.Context, js jetstream.JetStream, replicas int, deps engine.Deps,
	checker accept.Checker) (*engine.Executor, error) {
	var kv *store.KV
	var leases *store.KVLeases
	var lastErr error
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		// Keep trying while JetStream is not up yet; the last error is
		// reported if the executor stops first.
		if _, lastErr = progress.EnsureStream(ctx, js, replicas); lastErr == nil {
			kv, lastErr = store.OpenKV(ctx, js, replicas)
		}
		if lastErr == nil {
			leases, lastErr = store.OpenLeases(ctx, js, replicas)
		}
		return lastErr == nil, nil
	})
	if err != nil {
		return nil, errors.Join(err, lastErr)
	}
	deps.Store, deps.Events, deps.Leases = kv, progress.JetStreamPublisher{JS: js}, leases
	// One hub for the process: the watchers of an execution share one
	// ordered consumer instead of opening one each.
	e := engine.New(deps, checker, progress.NewHub(js).Watch)
	// The scan, and the reconciler's first pass at once (under its lease).
	e.Start()
	if deps.Roles.Rollback {
		handler := engine.RollbackHandler()
		handler.Logger = deps.Logger
		e.HandleFailures(func(ctx context.Context, handle func(context.Context, *rebalancerv1.ExecutionEvent) error) error {
			return progress.Consume(ctx, js, handler, handle)
		})
	}
	return e, nil
}

// startNATS returns the URL of the NATS server to use, starting the
// embedded one when none is configured.
func startNATS(s *server.Server, n NATS) (string, error) {
	if n.URL != "" {
		return n.URL, nil
	}
	host, port, err := n.listen()
	if err != nil {
		return "", err
	}
	dir, err := storeDir(s, n)
	if err != nil {
		return "", err
	}
	embedded, err := natsbus.StartEmbedded(host, port, dir)
	if err != nil {
		return "", err
	}
	s.Logger().Info("embedded NATS started", "url", embedded.URL(), "store", dir, "ephemeral", n.Ephemeral)
	s.OnStop(func(context.Context) error {
		embedded.Stop()
		return nil
	})
	return embedded.URL(), nil
}
