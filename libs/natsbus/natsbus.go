// Package natsbus connects a service to NATS with JetStream, or starts an
// embedded nats-server when no external one is configured (the demo and tests).
package natsbus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Embedded is an in-process nats-server with JetStream.
type Embedded struct {
	Server *server.Server
}

// StartEmbedded starts a nats-server with JetStream storing under storeDir,
// on host:port (port -1 picks a free one), and waits until it accepts clients.
func StartEmbedded(host string, port int, storeDir string) (*Embedded, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "rebalancer-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   storeDir,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS: not ready within 10s")
	}
	return &Embedded{Server: srv}, nil
}

// URL is the client URL of the embedded server.
func (e *Embedded) URL() string { return e.Server.ClientURL() }

// Stop shuts the server down and waits for it.
func (e *Embedded) Stop() {
	e.Server.Shutdown()
	e.Server.WaitForShutdown()
}

// Connect dials url and keeps reconnecting forever, including when the first
// attempt fails, so a service started before NATS catches up by itself.
// opts add TLS and credentials (Security.Options).
func Connect(url, name string, opts ...nats.Option) (*nats.Conn, error) {
	nc, err := nats.Connect(url, append([]nats.Option{
		nats.Name(name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
	}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("NATS %s: %w", url, err)
	}
	return nc, nil
}

// Ready returns a check that NATS is connected and JetStream answers.
func Ready(nc *nats.Conn, js jetstream.JetStream) func(context.Context) error {
	return func(ctx context.Context) error {
		if !nc.IsConnected() {
			return fmt.Errorf("NATS: %s", nc.Status())
		}
		if _, err := js.AccountInfo(ctx); err != nil {
			return fmt.Errorf("JetStream: %w", err)
		}
		return nil
	}
}
