package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// planPrefix starts the keys of plans. They live in the executions'
// bucket, not a bucket of their own, so the accounts and permissions that
// reach executions reach their plans (deploy/components/tls); listings and
// the index skip them. An execution ID never starts with it ("exec-").
const planPrefix = "plan."

// PlanKey is the key of the plan of execution id.
func PlanKey(id string) string { return planPrefix + id }

// isPlanKey reports whether key holds a plan, not an execution.
func isPlanKey(key string) bool { return strings.HasPrefix(key, planPrefix) }

// plans remembers the plans read: a plan never changes once written, and
// the scan hydrates every unfinished record every few seconds. Bounded:
// past maxCachedPlans it starts over, costing one read per plan.
type plans struct {
	mu sync.Mutex
	m  map[string]*rebalancerv1.RebalancePlan
}

const maxCachedPlans = 128

func (c *plans) get(key string) *rebalancerv1.RebalancePlan {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *plans) put(key string, p *rebalancerv1.RebalancePlan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPlans {
		c.m = map[string]*rebalancerv1.RebalancePlan{}
	}
	c.m[key] = p
}

// errPlanMissing: a record names a plan key that holds nothing. Create
// writes the plan before the record, so only a deleted key does this.
var errPlanMissing = errors.New("plan of the execution not stored")

// withPlan sets the plan of r, decoded with planKey ("" when the record
// embedded its plan), from the cache or the bucket.
func (s *KV) withPlan(ctx context.Context, r *Record, planKey string) error {
	if planKey == "" {
		return nil
	}
	p, err := s.loadPlan(ctx, planKey)
	if err != nil {
		return fmt.Errorf("%s: %w", r.State.GetExecutionId(), err)
	}
	r.Plan = p
	return nil
}

// loadPlan is the plan stored at key, from the cache or the bucket.
func (s *KV) loadPlan(ctx context.Context, key string) (*rebalancerv1.RebalancePlan, error) {
	if p := s.plans.get(key); p != nil {
		return p, nil
	}
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errPlanMissing
	}
	if err != nil {
		return nil, fmt.Errorf("get plan: %w", err)
	}
	p, err := decodePlan(e.Value())
	if err != nil {
		return nil, err
	}
	s.plans.put(key, p)
	return p, nil
}

// ensurePlan makes sure r's plan has its key before a record naming it is
// written. Known when this process wrote or read it there (the cache);
// otherwise it is created (Create; or the first Update of an earlier
// version's record, which embeds its plan).
func (s *KV) ensurePlan(ctx context.Context, r *Record) error {
	if s.plans.get(PlanKey(r.State.GetExecutionId())) != nil {
		return nil
	}
	return s.createPlan(ctx, r)
}

// createPlan writes r's plan at its key unless one is there: a plan is
// written once, and a record never sees its plan change under it. One
// there already is the same plan (an accept that died between the plan
// and the record, or two replicas accepting the same plan: the execution
// ID derives from the plan ID, which derives from the plan's content).
func (s *KV) createPlan(ctx context.Context, r *Record) error {
	if r.Plan == nil {
		return fmt.Errorf("%s: a record without its plan", r.State.GetExecutionId())
	}
	data, err := encodePlan(r.Plan)
	if err != nil {
		return err
	}
	key := PlanKey(r.State.GetExecutionId())
	_, err = s.kv.Create(ctx, key, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Read once, so the next write knows it is there.
		_, err := s.loadPlan(ctx, key)
		return err
	}
	if err != nil {
		return fmt.Errorf("store plan of %s: %w", r.State.GetExecutionId(), err)
	}
	s.plans.put(key, r.Plan)
	return nil
}
