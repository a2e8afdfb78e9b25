package app

import (
	"context"
	"fmt"

	"google.golang.org/grpc"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// connections dials each service at most once per command and closes them
// when the command ends.
type connections struct {
	security *securityOptions
	byAddr   map[string]*grpc.ClientConn
}

// dial opens a client connection; nothing is sent until the first call, so
// an unreachable address surfaces as Unavailable from that call.
func (c *connections) dial(addr string) (*grpc.ClientConn, error) {
	if conn, ok := c.byAddr[addr]; ok {
		return conn, nil
	}
	// Plaintext without credentials unless the security flags say
	// otherwise (TLS, a client certificate, a token, a kubeconfig).
	opts, err := c.security.dialOptions()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("address %q: %w", addr, err)}
	}
	if c.byAddr == nil {
		c.byAddr = map[string]*grpc.ClientConn{}
	}
	c.byAddr[addr] = conn
	return conn, nil
}

func (c *connections) close() {
	for _, conn := range c.byAddr {
		_ = conn.Close() // nothing useful to do with a close error at exit
	}
	c.byAddr = nil
}

func (a *app) analyzer() (rebalancerv1.AnalyzerServiceClient, error) {
	conn, err := a.conns.dial(a.global.analyzer)
	if err != nil {
		return nil, err
	}
	return rebalancerv1.NewAnalyzerServiceClient(conn), nil
}

func (a *app) planner() (rebalancerv1.PlannerServiceClient, error) {
	conn, err := a.conns.dial(a.global.planner)
	if err != nil {
		return nil, err
	}
	return rebalancerv1.NewPlannerServiceClient(conn), nil
}

func (a *app) executor() (rebalancerv1.ExecutorServiceClient, error) {
	conn, err := a.conns.dial(a.global.executor)
	if err != nil {
		return nil, err
	}
	return rebalancerv1.NewExecutorServiceClient(conn), nil
}

// callContext bounds one unary call by --timeout.
func (a *app) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.global.timeout)
}
