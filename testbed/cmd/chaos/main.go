// Command chaos runs the seeded chaos campaign of issue 17 (see package
// testbed/chaos): make chaos RUNS=20 SEED=1. It prints a line per run and
// the totals, and exits 1 if any run failed; each failure's line says how
// to replay it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/chaos"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	failed, err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func run(ctx context.Context, args []string) (failed bool, err error) {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	runs := fs.Int("runs", 20, "number of runs")
	seed := fs.Uint64("seed", 1, "seed of the first run; run n plays seed+n-1")
	seedList := fs.String("seeds", "", "comma-separated seeds to play instead of --runs and --seed: the failed seeds of a campaign, say")
	workDir := fs.String("work-dir", "", "folder for the binaries and each run's logs; default a new temporary one")
	replicas := fs.Int("replicas", 2, "Executor processes per run (at least 2)")
	settle := fs.Duration("settle", 45*time.Second, "longest wait, after a run's execution ended, for the end state to hold")
	var executorArgs repeated
	fs.Var(&executorArgs, "executor-arg", "a flag added to every Executor replica's command line (repeatable)")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	seeds, err := chooseSeeds(*runs, *seed, *seedList)
	if err != nil {
		return false, err
	}
	if *workDir == "" {
		if *workDir, err = os.MkdirTemp("", "chaos-"); err != nil {
			return false, err
		}
	}
	fmt.Printf("chaos: %d runs, seeds %s; logs in %s\n", len(seeds), seedRange(seeds), *workDir)
	c, err := chaos.Start(ctx, chaos.Config{BinDir: filepath.Join(*workDir, "bin"), WorkDir: *workDir,
		Replicas: *replicas, SettleTimeout: *settle, ExecutorArgs: executorArgs, Out: os.Stdout})
	if err != nil {
		return false, err
	}
	report := c.RunSeeds(ctx, seeds)
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: stop:", err)
	}
	if ctx.Err() != nil {
		return true, errors.New("interrupted")
	}
	return report.Failed > 0, nil
}

// chooseSeeds is the list given, else runs seeds from seed on.
func chooseSeeds(runs int, seed uint64, list string) ([]uint64, error) {
	var seeds []uint64
	if list != "" {
		for _, f := range strings.Split(list, ",") {
			s, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("--seeds: %w", err)
			}
			seeds = append(seeds, s)
		}
		return seeds, nil
	}
	if runs < 1 {
		return nil, errors.New("--runs must be at least 1")
	}
	for i := range runs {
		seeds = append(seeds, seed+uint64(i))
	}
	return seeds, nil
}

// seedRange shows the seeds briefly: "1..20" when consecutive.
func seedRange(seeds []uint64) string {
	first, last := seeds[0], seeds[len(seeds)-1]
	if last-first == uint64(len(seeds)-1) {
		return fmt.Sprintf("%d..%d", first, last)
	}
	return fmt.Sprint(seeds)
}
