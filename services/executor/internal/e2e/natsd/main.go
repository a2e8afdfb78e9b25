// Command natsd is the e2e tests' shared nats-server: the embedded server
// of libs/natsbus in a process of its own, so the executor processes and
// the test share it while the race detector watches only our code (the
// server's own internals race under -race when several clients update
// streams at once). It prints its URL on stdout and runs until killed.
// An optional port (default: a free one) lets a test restart it where
// its clients reconnect.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/vpsie/node-rebalancer/libs/natsbus"
)

func main() {
	port, err := portArg(os.Args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: natsd <store dir> [port]:", err)
		os.Exit(2)
	}
	srv, err := natsbus.StartEmbedded("127.0.0.1", port, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "natsd:", err)
		os.Exit(1)
	}
	fmt.Println(srv.URL())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	srv.Stop()
}

// portArg reads the optional port; -1 picks a free one.
func portArg(args []string) (int, error) {
	switch len(args) {
	case 2:
		return -1, nil
	case 3:
		return strconv.Atoi(args[2])
	}
	return 0, fmt.Errorf("%d arguments", len(args)-1)
}
