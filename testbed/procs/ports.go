package procs

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// FreePorts returns n distinct loopback ports that were free a moment ago,
// for children's listen flags.
//
// They are drawn at random from below the kernel's ephemeral range rather
// than asked of it with ":0": every outgoing connection of every test
// running beside this one (kube clients, NATS, gRPC) takes a port from the
// ephemeral range, so a port handed out there is often taken again before
// the child binds it. Below the range only another listener can take it:
// each port handed out is also reserved for a while in a folder every
// process of this repository's tests shares (reserve), so that a test
// compiling its child for a minute after drawing a port does not see
// another package's test draw the same one meanwhile. Every listener stays
// open until all n are chosen, so no port comes twice.
func FreePorts(n int) ([]int, error) {
	low, high := drawRange()
	ports := make([]int, 0, n)
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts > 1000 {
			return nil, fmt.Errorf("find %d free ports in %d-%d: only %d after %d attempts", n, low, high, len(ports), attempts)
		}
		port := low + rand.IntN(high-low) //nolint:gosec // a port number, not a secret
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		defer func() { _ = l.Close() }()
		if !reserve(port) {
			continue
		}
		ports = append(ports, port)
	}
	return ports, nil
}

// reservation is how long a port handed out stays another process's to
// skip: longer than a child takes to be built and bind it.
const reservation = 10 * time.Minute

// reserve claims port for this process in the shared folder, unless
// another claimed it less than a reservation ago. When the folder cannot
// be used the claim is granted: the listen check alone still holds.
func reserve(port int) bool {
	dir := filepath.Join(os.TempDir(), "node-rebalancer-ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return true
	}
	path := filepath.Join(dir, strconv.Itoa(port))
	for range 2 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return true
		}
		if !errors.Is(err, fs.ErrExist) {
			return true
		}
		info, err := os.Stat(path)
		if err != nil || time.Since(info.ModTime()) < reservation {
			return false
		}
		_ = os.Remove(path) // expired: claim it afresh
	}
	return false
}

// FreeAddr is a loopback host:port nobody listened on a moment ago, for a
// child's listen flag (see FreePorts). A server started in the test's own
// process should listen on "127.0.0.1:0" instead.
func FreeAddr() (string, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), nil
}

// drawRange is [low, high) of unprivileged ports outside the kernel's
// ephemeral range: below it when there is room, else above it.
func drawRange() (low, high int) {
	first, last := ephemeralRange()
	if first-minDrawPort >= 4096 {
		return minDrawPort, first
	}
	return last + 1, 65536
}

// minDrawPort keeps away from the well-known and commonly configured ports
// (1024-9999) a developer's machine may be running services on.
const minDrawPort = 10000

// ephemeralRange is the kernel's range for outgoing connections' ports;
// Linux's default when it cannot be read.
func ephemeralRange() (first, last int) {
	first, last = 32768, 60999
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return first, last
	}
	var a, b int
	if _, err := fmt.Sscan(string(raw), &a, &b); err == nil && a > 0 && b >= a {
		return a, b
	}
	return first, last
}
