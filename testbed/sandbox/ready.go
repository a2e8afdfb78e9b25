package sandbox

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// insecureLoopback reads the health endpoints of the controller manager and
// the scheduler, which serve them with self-signed certificates on
// 127.0.0.1; nothing but their status code is trusted.
var insecureLoopback = &http.Client{
	Timeout:   2 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // loopback health checks only
}

var plainLoopback = &http.Client{Timeout: 2 * time.Second}

// waitHealthy polls url until it answers 200, failing early if the process
// serving it exits, since no amount of waiting would then help.
func waitHealthy(ctx context.Context, p *procs.Child, client *http.Client, url string) error {
	var last string
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if done, err := p.Exited(); done {
			return false, err
		}
		ok, why := get(ctx, client, url)
		last = why
		return ok, nil
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%s not healthy at %s: %s: %w", p.Name(), url, last, err)
	}
	return err
}

func get(ctx context.Context, client *http.Client, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode == http.StatusOK, fmt.Sprintf("%s: %s", resp.Status, body)
}
