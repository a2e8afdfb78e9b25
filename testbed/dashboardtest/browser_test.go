package dashboardtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath is Debian's Chromium, which `make chromium` installs.
const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium with the flags that work on a machine
// without a network beyond loopback, in a fresh profile, and returns a
// context whose actions drive one tab. Chromium stops when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		// Not a skip: CI installs it (make chromium), so its absence is a
		// broken machine, not an optional test.
		require.NoError(t, err, "Chromium is missing: run `make chromium` (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these Chromium reaches for Google's hosts, which this
		// machine's closed network refuses, many at a time.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	_, err := chromedp.Run(ctx, chromedp.Navigate("about:blank"))
	require.NoError(t, err, "start Chromium")
	return ctx
}

// screenshots writes the page's pictures: under the test's temporary
// folder, or DASHBOARD_SCREENSHOTS when set, so they outlive the test.
type screenshots struct {
	t   *testing.T
	dir string
}

func newScreenshots(t *testing.T) *screenshots {
	t.Helper()
	dir := os.Getenv("DASHBOARD_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "screenshots")
	}
	require.NoError(t, os.MkdirAll(dir, 0o750))
	return &screenshots{t: t, dir: dir}
}

// take saves the whole page as name.png and logs where.
func (s *screenshots) take(ctx context.Context, name string) {
	s.t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	require.NoError(s.t, err, "screenshot %s", name)
	path := filepath.Join(s.dir, name+".png")
	require.NoError(s.t, os.WriteFile(path, png, 0o600))
	s.t.Logf("screenshot %s: %s", name, path)
}

// waitFor polls a JavaScript condition on the page until it is true.
func waitFor(t *testing.T, ctx context.Context, what, js string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond)))
	require.NoError(t, err, "waiting for %s", what)
}

// eval reads a JavaScript value off the page.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(t, err, "evaluate %s", js)
	return v
}
