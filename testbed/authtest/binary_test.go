package authtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// TestPlannerBinaryServesTLSAndAuthorizesByRBAC runs the planner binary
// as a deployment does: TLS with a client CA, --auth kubernetes, and a
// kubeconfig of a service account that may only create reviews. Callers
// come with real tokens or client certificates.
func TestPlannerBinaryServesTLSAndAuthorizesByRBAC(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Shared()
	ns := sandboxtest.Namespace(t)
	applyDeployRoles(t, sb.Client)
	createAccount(t, sb.Client, ns, "planner")
	bind(t, sb.Client, ns, "planner", "vpsie-rebalancer-auth-reviews", true)
	createAccount(t, sb.Client, ns, "viewer")
	bind(t, sb.Client, ns, "viewer", "rebalancer-viewer", false)
	createAccount(t, sb.Client, ns, "nobody")
	// Certificate users of group ns-ops view the namespace too.
	bindGroup(t, sb.Client, ns, ns+"-ops", "rebalancer-viewer")

	kubeconfig := filepath.Join(t.TempDir(), "planner.kubeconfig")
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: sb.RESTConfig.Host, CertificateAuthorityData: sb.RESTConfig.CAData}
	cfg.AuthInfos["planner"] = &clientcmdapi.AuthInfo{Token: token(t, sb.Client, ns, "planner")}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: "planner"}
	cfg.CurrentContext = "sandbox"
	require.NoError(t, clientcmd.WriteToFile(*cfg, kubeconfig))

	pki := newPKI(t)
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	pki.writeServer(t, certFile, keyFile)
	require.NoError(t, os.WriteFile(caFile, pki.pem, 0o600))

	grpcAddr := servicetest.FreeAddr(t)
	p, err := procs.Start(procs.Command{Name: "planner", Binary: filepath.Join(binDir, "planner"), LogDir: t.TempDir(), Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t), "--drain-period", "0s", "--log-format", "text",
		"--auth", "kubernetes", "--kubeconfig", kubeconfig,
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--client-ca-file", caFile,
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of the planner ---\n%s", p.Tail(40))
		}
		require.NoError(t, p.Stop(10*time.Second))
	})

	dialTLS := func(certs ...tls.Certificate) *grpc.ClientConn {
		conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
			RootCAs: pki.pool(), Certificates: certs, MinVersion: tls.VersionTLS12})))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	conn := dialTLS()
	require.Eventually(t, func() bool {
		resp, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
	}, 30*time.Second, 100*time.Millisecond, "health needs no credential")

	planner := rebalancerv1.NewPlannerServiceClient(conn)
	req := &rebalancerv1.ValidatePlanRequest{Plan: &rebalancerv1.RebalancePlan{Namespace: ns, NodeGroup: group}}
	var err2 error
	require.Eventually(t, func() bool { // the bindings reach the authorizer through its informers
		_, err2 = planner.ValidatePlan(withToken(t.Context(), token(t, sb.Client, ns, "viewer")), req)
		return status.Code(err2) != codes.PermissionDenied
	}, 15*time.Second, 200*time.Millisecond)
	require.NotEqual(t, codes.Unauthenticated, status.Code(err2), "%v", err2)
	t.Logf("viewer's ValidatePlan passed authorization: %s", status.Code(err2))

	_, err = planner.ValidatePlan(withToken(t.Context(), token(t, sb.Client, ns, "nobody")), req)
	requireDenied(t, err, fmt.Sprintf("system:serviceaccount:%s:nobody", ns), "get", fmt.Sprintf("in namespace %q", ns))
	_, err = planner.ValidatePlan(t.Context(), req)
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)

	// A client certificate of the CA: CN the user, O the groups.
	alice := rebalancerv1.NewPlannerServiceClient(dialTLS(pki.client(t, "alice", ns+"-ops")))
	_, err = alice.ValidatePlan(t.Context(), req)
	t.Logf("alice's ValidatePlan (certificate, group %s-ops) passed authorization: %s", ns, status.Code(err))
	require.NotContains(t, []codes.Code{codes.PermissionDenied, codes.Unauthenticated}, status.Code(err), "%v", err)
	bob := rebalancerv1.NewPlannerServiceClient(dialTLS(pki.client(t, "bob", "elsewhere")))
	_, err = bob.ValidatePlan(t.Context(), req)
	requireDenied(t, err, `"bob" (certificate)`, "get", fmt.Sprintf("in namespace %q", ns))

	// Plaintext is not served.
	plain, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = plain.Close() }()
	_, err = healthpb.NewHealthClient(plain).Check(t.Context(), &healthpb.HealthCheckRequest{})
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
}

// pki is a throwaway CA for the planner's serving and client certificates.
type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "authtest CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &pki{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

func (p *pki) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.cert)
	return pool
}

func (p *pki) issue(t *testing.T, tpl *x509.Certificate) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl.SerialNumber, err = rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tpl.NotBefore, tpl.NotAfter, tpl.KeyUsage = time.Now().Add(-time.Hour), time.Now().Add(time.Hour), x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tpl, p.cert, &key.PublicKey, p.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func (p *pki) writeServer(t *testing.T, certFile, keyFile string) {
	t.Helper()
	certPEM, keyPEM := p.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "planner"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	require.NoError(t, os.WriteFile(certFile, certPEM, 0o600))
	require.NoError(t, os.WriteFile(keyFile, keyPEM, 0o600))
}

func (p *pki) client(t *testing.T, user string, groups ...string) tls.Certificate {
	t.Helper()
	certPEM, keyPEM := p.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: user, Organization: groups},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return cert
}
