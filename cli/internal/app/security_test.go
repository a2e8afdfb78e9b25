package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// tlsExecutor serves the fake executor over TLS and records the
// authorization metadata of each call.
type tlsExecutor struct {
	addr, caFile string
	caPEM        []byte
	mu           sync.Mutex
	auth         []string
}

func (s *tlsExecutor) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func serveTLS(t *testing.T) *tlsExecutor {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "executor"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	s := &tlsExecutor{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	s.caFile = filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(s.caFile, s.caPEM, 0o600))
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	record := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		s.mu.Lock()
		s.auth = append(s.auth, md.Get("authorization")...)
		s.mu.Unlock()
		return h(ctx, req)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})),
		grpc.UnaryInterceptor(record))
	rebalancerv1.RegisterExecutorServiceServer(srv, &fakeExecutor{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	s.addr = lis.Addr().String()
	return s
}

func TestTokenAndCAFromFlagsOrVariables(t *testing.T) {
	t.Parallel()
	s := serveTLS(t)
	r := invocation{}.run(t, "get", "exec-1", "--executor", s.addr, "--ca-file", s.caFile, "--token", "t-flag")
	require.Equal(t, app.ExitOK, r.code, r.stderr)
	r = invocation{env: map[string]string{"REBALANCECTL_EXECUTOR": s.addr, "REBALANCECTL_CA_FILE": s.caFile,
		"REBALANCECTL_TOKEN": "t-env"}}.run(t, "get", "exec-1")
	require.Equal(t, app.ExitOK, r.code, r.stderr)
	require.Equal(t, []string{"Bearer t-flag", "Bearer t-env"}, s.seen())

	// Without the CA the server is not trusted.
	r = invocation{}.run(t, "get", "exec-1", "--executor", s.addr, "--tls", "--token", "t")
	require.NotEqual(t, app.ExitOK, r.code)
	require.Len(t, s.seen(), 2)
}

func TestTokenIsNeverSentInPlaintext(t *testing.T) {
	t.Parallel()
	r := invocation{}.run(t, "get", "exec-1", "--executor", closedAddress(t), "--token", "secret")
	require.Equal(t, app.ExitUsage, r.code)
	require.Contains(t, r.stderr, "a bearer token is never sent in plaintext")
	require.NotContains(t, r.stderr, "secret")
}

func TestKubeconfigContextGivesTokenAndCA(t *testing.T) {
	t.Parallel()
	s := serveTLS(t)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["prod"] = &clientcmdapi.Cluster{Server: "https://example.invalid", CertificateAuthorityData: s.caPEM}
	cfg.AuthInfos["jane"] = &clientcmdapi.AuthInfo{Token: "t-kubeconfig"}
	cfg.AuthInfos["other"] = &clientcmdapi.AuthInfo{Token: "t-other"}
	cfg.Contexts["prod"] = &clientcmdapi.Context{Cluster: "prod", AuthInfo: "jane"}
	cfg.Contexts["other"] = &clientcmdapi.Context{Cluster: "prod", AuthInfo: "other"}
	cfg.CurrentContext = "prod"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*cfg, path))

	r := invocation{}.run(t, "get", "exec-1", "--executor", s.addr, "--kubeconfig", path)
	require.Equal(t, app.ExitOK, r.code, r.stderr)
	r = invocation{}.run(t, "get", "exec-1", "--executor", s.addr, "--kubeconfig", path, "--context", "other")
	require.Equal(t, app.ExitOK, r.code, r.stderr)
	r = invocation{}.run(t, "get", "exec-1", "--executor", s.addr, "--kubeconfig", path, "--token", "t-flag")
	require.Equal(t, app.ExitOK, r.code, r.stderr)
	require.Equal(t, []string{"Bearer t-kubeconfig", "Bearer t-other", "Bearer t-flag"}, s.seen())
}
