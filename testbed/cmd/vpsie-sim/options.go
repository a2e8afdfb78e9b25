package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// options are the command line, each flag falling back to an environment
// variable, and validated before anything starts.
type options struct {
	addr       string
	token      string
	kubeconfig string
	bootDelay  time.Duration
	quotaVMs   int
	rateLimit  float64
	seed       uint64
	joinToken  string
	listingLag time.Duration
	pageSize   int
}

func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("vpsie-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, fallback string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback
	}
	fs.StringVar(&o.addr, "addr", env("VPSIE_SIM_ADDR", "127.0.0.1:8585"), "listen address, host:port (env VPSIE_SIM_ADDR)")
	fs.StringVar(&o.token, "token", getenv("VPSIE_SIM_TOKEN"), "the token clients send as Vpsie-Auth; required (env VPSIE_SIM_TOKEN)")
	fs.StringVar(&o.kubeconfig, "kubeconfig", getenv("KUBECONFIG"), "cluster booted VMs join as kwok nodes; none joins nothing (env KUBECONFIG)")
	bootDelay := fs.String("boot-delay", env("VPSIE_SIM_BOOT_DELAY", "2s"), "time from create to running (env VPSIE_SIM_BOOT_DELAY)")
	quota := fs.String("quota-vms", env("VPSIE_SIM_QUOTA_VMS", "50"), "VMs the account may hold (env VPSIE_SIM_QUOTA_VMS)")
	rateLimit := fs.String("rate-limit", env("VPSIE_SIM_RATE_LIMIT", "0"), "requests per second before 429s, 0 for none (env VPSIE_SIM_RATE_LIMIT)")
	seed := fs.String("seed", env("VPSIE_SIM_SEED", "1"), "seed of the fault dice (env VPSIE_SIM_SEED)")
	fs.StringVar(&o.joinToken, "join-token", getenv("VPSIE_SIM_JOIN_TOKEN"),
		"a VM joins only when its userData holds this token; empty: no plain VM joins, only managed nodes (env VPSIE_SIM_JOIN_TOKEN)")
	listingLag := fs.String("listing-lag", env("VPSIE_SIM_LISTING_LAG", "0s"),
		"time a new VM shows only in /apps/v2/vm/pending (env VPSIE_SIM_LISTING_LAG)")
	pageSize := fs.String("page-size", env("VPSIE_SIM_PAGE_SIZE", "50"), "most VMs per page of GET /api/v2/vm (env VPSIE_SIM_PAGE_SIZE)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var errs []error
	var err error
	if o.bootDelay, err = time.ParseDuration(*bootDelay); err != nil || o.bootDelay <= 0 {
		errs = append(errs, fmt.Errorf("--boot-delay: %q is not a positive duration", *bootDelay))
	}
	if o.quotaVMs, err = strconv.Atoi(*quota); err != nil || o.quotaVMs < 0 {
		errs = append(errs, fmt.Errorf("--quota-vms: %q is not a count", *quota))
	}
	if o.rateLimit, err = strconv.ParseFloat(*rateLimit, 64); err != nil || o.rateLimit < 0 {
		errs = append(errs, fmt.Errorf("--rate-limit: %q is not a rate", *rateLimit))
	}
	if o.listingLag, err = time.ParseDuration(*listingLag); err != nil || o.listingLag < 0 {
		errs = append(errs, fmt.Errorf("--listing-lag: %q is not a duration", *listingLag))
	}
	if o.pageSize, err = strconv.Atoi(*pageSize); err != nil || o.pageSize < 1 {
		errs = append(errs, fmt.Errorf("--page-size: %q is not a positive count", *pageSize))
	}
	if o.seed, err = strconv.ParseUint(*seed, 10, 64); err != nil {
		errs = append(errs, fmt.Errorf("--seed: %q is not a number", *seed))
	}
	return o, errors.Join(append(errs, o.validate()...)...)
}

func (o options) validate() []error {
	var errs []error
	if o.token == "" {
		errs = append(errs, errors.New("--token (or VPSIE_SIM_TOKEN) is required"))
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr: %w", err))
	}
	for _, path := range filepath.SplitList(o.kubeconfig) {
		if _, err := os.Stat(path); err != nil {
			errs = append(errs, fmt.Errorf("--kubeconfig: %w", err))
		}
	}
	return errs
}
