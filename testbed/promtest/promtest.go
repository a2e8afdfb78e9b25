// Package promtest runs a real Prometheus for tests: Debian's
// /usr/bin/prometheus (`make prometheus` installs it), scraping a gauge
// the test sets, so a health query is evaluated by PromQL itself.
package promtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// Binary is Debian's Prometheus, which `make prometheus` installs.
const Binary = "/usr/bin/prometheus"

// Job is the scrape job of the gauge's target.
const Job = "promtest"

// Prometheus is a running server scraping one target every second, and
// the gauge that target exports (Metric).
type Prometheus struct {
	// URL is the server's HTTP API, for --prometheus-url.
	URL   string
	gauge prometheus.Gauge
}

// Metric is the gauge's name; its samples carry job="promtest".
const Metric = "promtest_error_ratio"

// Start serves the gauge (at 0) and starts Prometheus scraping it; both
// stop with the test. It returns once Prometheus has the gauge's first
// sample, so a query answers from the start.
func Start(t testing.TB) *Prometheus {
	t.Helper()
	_, err := os.Stat(Binary)
	// Not a skip: CI installs it, so its absence is a broken set-up.
	require.NoError(t, err, "Prometheus is missing: run `make prometheus` (apt-get install prometheus)")
	reg := prometheus.NewRegistry()
	p := &Prometheus{gauge: prometheus.NewGauge(prometheus.GaugeOpts{Name: Metric, Help: "A value the test sets."})}
	reg.MustRegister(p.gauge)
	target := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(target.Close)
	p.URL = "http://" + run(t, strings.TrimPrefix(target.URL, "http://"))
	p.awaitFirstSample(t)
	return p
}

// Set sets the gauge; Prometheus sees it at its next scrape, within a
// second.
func (p *Prometheus) Set(v float64) { p.gauge.Set(v) }

// run starts the server with a config scraping target and returns its
// host:port once it is ready.
func run(t testing.TB, target string) string {
	dir := t.TempDir()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: %s\n    static_configs:\n      - targets: [%q]\n", Job, target)
	path := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	addr := servicetest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, Binary, "--config.file="+path, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait(); _ = log.Close() })
	require.Eventually(t, func() bool { return get("http://"+addr+"/-/ready") == nil }, 30*time.Second, 100*time.Millisecond,
		"prometheus not ready; its log: %s", filepath.Join(dir, "prometheus.log"))
	return addr
}

func (p *Prometheus) awaitFirstSample(t testing.TB) {
	url := p.URL + "/api/v1/query?query=" + Metric
	require.Eventually(t, func() bool {
		body, err := read(url)
		return err == nil && strings.Contains(body, `"job":"`+Job+`"`)
	}, 30*time.Second, 200*time.Millisecond, "prometheus never scraped the gauge")
}

func get(url string) error {
	_, err := read(url)
	return err
}

func read(url string) (string, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", url, resp.Status)
	}
	return string(body), err
}
