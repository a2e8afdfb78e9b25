package procs

import (
	"fmt"
	"net"
	"strconv"
)

// FreePorts returns n distinct loopback ports that were free a moment ago.
// Every listener stays open until all n are chosen, so the kernel cannot
// hand the same port out twice. Another process could still take one
// before the child binds it; the child then fails to start and says so.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer func() { _ = l.Close() }()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// FreeAddr is a loopback host:port nobody listened on a moment ago, for a
// child's listen flag (see FreePorts for the caveat). A server started in
// the test's own process should listen on "127.0.0.1:0" instead.
func FreeAddr() (string, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), nil
}
