// Package vpsie is the cloud.Provider that talks to the VPSie HTTP API
// (libs/cloud/README.md lists the endpoints and shapes it follows).
//
// Every call carries the Vpsie-Auth token, waits its turn at a client-side
// rate limiter, runs under a deadline, and is retried with exponential
// backoff and jitter on 429, 5xx and timeouts, honouring Retry-After.
// Answers are read whole: VPSie reports some errors with HTTP 200 and
// `"error": true`, and sends some numbers as strings.
package vpsie

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

var _ cloud.Provider = (*Client)(nil)

// DefaultBaseURL is VPSie's production API host.
const DefaultBaseURL = "https://api.vpsie.com"

// Options configure a Client. Token and OSIdentifier are required.
type Options struct {
	// BaseURL is the API host; DefaultBaseURL when empty. It must be https,
	// except on a loopback host (tests, the simulator).
	BaseURL string
	// Token is the access token sent as Vpsie-Auth. It is never logged nor
	// put in an error.
	Token string
	// OSIdentifier is the image new VMs boot; VPSie also needs it to price plans.
	OSIdentifier string
	// ProjectID places new VMs in a project; 0 for the default project.
	ProjectID int64
	// HTTPClient sends the requests; a fresh http.Client when nil. The
	// client uses a copy that follows no redirect, so the token is sent to
	// BaseURL's host only.
	HTTPClient *http.Client
	// CallTimeout bounds a whole method call, retries included (default 2m).
	CallTimeout time.Duration
	// AttemptTimeout bounds one HTTP request (default 20s); an attempt that
	// exceeds it counts as a timeout and is retried.
	AttemptTimeout time.Duration
	// RequestsPerSecond and Burst shape the client-side rate limit
	// (default 10 per second, bursts of 20).
	RequestsPerSecond float64
	Burst             int
	// Retry shapes the backoff between attempts.
	Retry RetryPolicy
	// ListingMaxAge is how long a listing of the account's VMs answers
	// look-ups of the VMs it holds (DefaultListingMaxAge when zero;
	// negative: every look-up lists). A hostname not in it is always
	// looked up afresh.
	ListingMaxAge time.Duration
	// Logger receives one debug line per attempt; discarded when nil.
	Logger *slog.Logger
}

// Client is the VPSie API client. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	opts    Options
	http    *http.Client
	limiter *rate.Limiter
	log     *slog.Logger
	stats   stats

	dcMu    sync.Mutex
	dcCache []cloud.Datacenter // datacenters rarely change; fetched once

	recent recentList // the newest listing of the account's VMs
}

// New checks opts and returns a Client.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		return nil, errors.New("vpsie: a token is required")
	}
	if opts.OSIdentifier == "" {
		return nil, errors.New("vpsie: an OS identifier is required")
	}
	opts = withDefaults(opts)
	base, err := url.Parse(opts.BaseURL)
	if err != nil {
		return nil, errors.New("vpsie: the base URL must be an absolute https URL")
	}
	if err := checkBaseURL(base); err != nil {
		return nil, err
	}
	return &Client{
		base:    base,
		opts:    opts,
		http:    noRedirects(opts.HTTPClient),
		limiter: rate.NewLimiter(rate.Limit(opts.RequestsPerSecond), opts.Burst),
		log:     opts.Logger,
	}, nil
}

func withDefaults(o Options) Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 2 * time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 20 * time.Second
	}
	if o.RequestsPerSecond <= 0 {
		o.RequestsPerSecond = 10
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.ListingMaxAge == 0 {
		o.ListingMaxAge = DefaultListingMaxAge
	}
	o.Retry = o.Retry.withDefaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
