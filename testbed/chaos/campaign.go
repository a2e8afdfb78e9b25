package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// Campaign holds what every run shares: the sandbox, the binaries and
// the Planner.
type Campaign struct {
	cfg        Config
	sb         *sandbox.Sandbox
	ownSandbox bool
	planner    *planner
}

// sources are the main packages a campaign runs, as folders of the
// repository; each binary takes its folder's name.
var sources = []string{
	"services/executor/cmd/executor",
	"services/planner/cmd/planner",
	"services/executor/internal/e2e/natsd",
}

// Start builds the binaries, starts the sandbox (unless given one) and
// the Planner.
func Start(ctx context.Context, cfg Config) (c *Campaign, err error) {
	cfg = cfg.withDefaults()
	if cfg.BinDir == "" || cfg.WorkDir == "" {
		return nil, errors.New("chaos: BinDir and WorkDir are required")
	}
	if err := build(cfg.BinDir); err != nil {
		return nil, err
	}
	c = &Campaign{cfg: cfg, sb: cfg.Sandbox}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	if c.sb == nil {
		if c.sb, err = sandbox.Start(ctx, sandbox.Options{}); err != nil {
			return c, err
		}
		c.ownSandbox = true
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return c, err
	}
	tuning := executorTuning(filepath.Join(cfg.BinDir, "executor"))
	c.cfg.ExecutorArgs = append(tuning, cfg.ExecutorArgs...) // the caller's flags come last, and win
	c.cfg.printf("chaos: executor replicas get %s\n", strings.Join(c.cfg.ExecutorArgs, " "))
	c.planner, err = startPlanner(ctx, filepath.Join(cfg.BinDir, "planner"), cfg.WorkDir)
	return c, err
}

func build(binDir string) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	folders := make([]string, len(sources))
	for i, src := range sources {
		folders[i] = filepath.Join(root, src)
	}
	return procs.Build(binDir, folders...)
}

// Stop ends the Planner and the sandbox if the campaign started it.
func (c *Campaign) Stop() error {
	var errs []error
	if c.planner != nil {
		if msg := c.planner.stop(); msg != "" {
			errs = append(errs, errors.New(msg))
		}
	}
	if c.ownSandbox {
		errs = append(errs, c.sb.Stop())
	}
	return errors.Join(errs...)
}

// Run plays runs runs, the nth (from 1) with seed seed+n-1, printing a
// line for each and the totals, and returns the report.
func (c *Campaign) Run(ctx context.Context, runs int, seed uint64) Report {
	seeds := make([]uint64, runs)
	for i := range seeds {
		seeds[i] = seed + uint64(i)
	}
	return c.RunSeeds(ctx, seeds)
}

// RunSeeds plays a run per seed, in order: the failed seeds of a
// campaign, say.
func (c *Campaign) RunSeeds(ctx context.Context, seeds []uint64) Report {
	rep := Report{Started: time.Now()}
	for i, seed := range seeds {
		if ctx.Err() != nil {
			break
		}
		res := c.runOne(ctx, i+1, seed)
		rep.add(res)
		c.cfg.printf("%s\n", res.Line(len(seeds)))
	}
	rep.Wall = time.Since(rep.Started)
	c.cfg.printf("%s", rep.Totals())
	return rep
}

// runOne plays the scenario of seed and judges it; it never fails as a
// whole: a run that could not be played is a Result with a harness error.
func (c *Campaign) runOne(ctx context.Context, n int, seed uint64) (res Result) {
	start := time.Now()
	sc := Draw(seed)
	res = Result{Run: n, Scenario: sc}
	r := &run{cfg: c.cfg, sc: sc, sb: c.sb, ns: fmt.Sprintf("chaos-%d-%04x", seed, start.UnixNano()&0xffff)}
	r.dir = filepath.Join(c.cfg.WorkDir, r.ns)
	res.Dir = r.dir
	defer func() {
		if err := r.tearDown(); err != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("tear-down: %v", err))
		}
		res.Duration = time.Since(start)
	}()
	if err := c.play(ctx, r, &res); err != nil {
		res.Violations = append(res.Violations, Violation{VHarness, err.Error()})
	}
	return res
}

// play sets the run up, executes its plan with the faults, lets the
// cluster settle and fills in the result.
func (c *Campaign) play(ctx context.Context, r *run, res *Result) error {
	if err := r.setUp(ctx, c.cfg.BinDir); err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	plan, err := r.makePlan(ctx, c.planner)
	if err != nil {
		return err
	}
	in := newInjector(ctx, r)
	m, err := r.startMonitor(ctx, plan, in.forcedPods)
	if err != nil {
		return err
	}
	stopSupervisor := r.superviseFleet(ctx, in)
	ex, err := r.execute(ctx, plan, in)
	var end []Violation
	if err == nil {
		res.Outcome, end = r.settle(ctx, ex.id)
	}
	stopSupervisor()
	monitor := m.Finish(ctx) // stops its informers, whatever happened
	if err != nil {
		return err
	}
	injected, notes := in.result()
	res.Injected, res.Notes = injected, append(res.Notes, notes...)
	res.Violations = append(res.Violations, verdict(end, monitor)...)
	res.Violations = append(res.Violations, r.finalEvent(ctx, ex.id, res.Outcome, ex.sawFinal)...)
	return nil
}
