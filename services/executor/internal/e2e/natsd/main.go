// Command natsd is the e2e tests' shared nats-server: the embedded server
// of libs/natsbus in a process of its own, so the executor processes and
// the test share it while the race detector watches only our code (the
// server's own internals race under -race when several clients update
// streams at once). It prints its URL on stdout and runs until killed.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vpsie/node-rebalancer/libs/natsbus"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: natsd <store dir>")
		os.Exit(2)
	}
	srv, err := natsbus.StartEmbedded("127.0.0.1", -1, os.Args[1])
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
