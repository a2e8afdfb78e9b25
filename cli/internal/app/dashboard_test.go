package app_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// syncBuffer is a bytes.Buffer the command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The dashboard command serves the page against the --executor it is
// given and stops cleanly when its context ends (Ctrl-C).
func TestDashboardServesUntilInterrupted(t *testing.T) {
	t.Parallel()
	s := startServices(t, testfixture.RollingSuccess(), rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	env := app.Environment{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := s.env[k]; return v, ok },
		Terminal:  func() (bool, int) { return false, 0 },
	}
	done := make(chan error, 1)
	go func() { done <- app.Execute(ctx, env, []string{"dashboard", "--listen", "127.0.0.1:0"}) }()

	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	require.Eventually(t, func() bool { return url.MatchString(stdout.String()) }, 10*time.Second, 10*time.Millisecond)
	base := url.FindString(stdout.String())
	require.Contains(t, stdout.String(), "(executor "+s.env["REBALANCECTL_EXECUTOR"]+")")

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/executions", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the dashboard did not stop")
	}
}

func TestDashboardRefusesAnAddressItCannotListenOn(t *testing.T) {
	t.Parallel()
	r := invocation{}.run(t, "dashboard", "--listen", "256.0.0.1:80")
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "--listen 256.0.0.1:80")
}
