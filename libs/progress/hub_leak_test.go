package progress_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every goroutine the hub starts ends with its watchers: the feeds', and
// the watches' of their own. Not parallel, so the goroutines counted are
// this test's while the parallel tests wait for the sequential ones.
func TestHubLeavesNoGoroutines(t *testing.T) {
	js := jetStream(t)
	before := clientGoroutines()
	hub, feeds, privates := countedHub(js, 4)
	release := make(chan struct{})
	slow := startHubWatch(t, hub, "exec-1", 0, func(seq uint64) error {
		if seq == 2 {
			<-release
		}
		return nil
	})
	fast := startHubWatch(t, hub, "exec-1", 0, nil)
	leaving := startHubWatch(t, hub, "exec-2", 0, nil)
	publishSeen(t, js, "exec-1", 1, 10, fast)
	close(release)
	publishFinal(t, js, "exec-1", 11)
	fast.requireAll(t, 11)
	slow.requireAll(t, 11)
	leaving.cancel()
	require.Error(t, leaving.result(t))
	requireStopped(t, hub, feeds)
	require.EqualValues(t, 1, privates.opened.Load(), "the slow watcher went on alone")

	// Polled here rather than with require.Eventually, whose own
	// goroutine would be counted.
	deadline := time.Now().Add(hubWait)
	for clientGoroutines() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, clientGoroutines(), before, "goroutines outside the NATS server")
}

// clientGoroutines counts the goroutines outside the embedded NATS server:
// the server keeps a stopped watch's consumer for minutes (its inactive
// threshold), which runtime.NumGoroutine would count as a leak.
func clientGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if !bytes.Contains(g, []byte("nats-server/v2/server")) {
			count++
		}
	}
	return count
}
