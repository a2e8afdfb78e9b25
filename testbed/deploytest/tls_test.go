package deploytest

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
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// renderTLS renders an overlay of deploy/ with the tls component, as
// deploy/README.md tells operators to.
func renderTLS(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	deploy, err := filepath.Rel(dir, deployDir(t))
	require.NoError(t, err)
	kustomization := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - %[1]s
components:
  - %[1]s/components/tls
`, filepath.ToSlash(deploy))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o600))
	return build(t, dir)
}

// certManager reports whether o is a cert-manager object, which the
// sandbox does not serve (no cert-manager CRDs): those are checked here
// statically, everything else by the API server.
func certManager(o *unstructured.Unstructured) bool {
	return o.GroupVersionKind().Group == "cert-manager.io"
}

// TestTLSComponentWiresCertificatesToEveryServer: every server has a
// certificate from the component's CA issuer, mounted where its flags
// read it. (TestManifestsOnTheServer dry-runs the rest of the overlay.)
func TestTLSComponentWiresCertificatesToEveryServer(t *testing.T) {
	t.Parallel()
	objs := renderTLS(t)
	certs := map[string]*unstructured.Unstructured{} // by Secret
	issuers := map[string]bool{}
	var added []string
	for _, o := range objs {
		if !certManager(o) {
			continue
		}
		added = append(added, key(o))
		require.Equal(t, "cert-manager.io/v1", o.GetAPIVersion(), key(o))
		require.Equal(t, namespace, o.GetNamespace(), key(o))
		switch o.GetKind() {
		case "Issuer":
			issuers[o.GetName()] = true
		case "Certificate":
			secret, _, _ := unstructured.NestedString(o.Object, "spec", "secretName")
			certs[secret] = o
		}
	}
	require.ElementsMatch(t, []string{
		"Issuer/vpsie-rebalancer/rebalancer-selfsigned", "Issuer/vpsie-rebalancer/rebalancer-ca",
		"Certificate/vpsie-rebalancer/rebalancer-ca", "Certificate/vpsie-rebalancer/analyzer-tls",
		"Certificate/vpsie-rebalancer/planner-tls", "Certificate/vpsie-rebalancer/executor-tls",
		"Certificate/vpsie-rebalancer/nats-tls", "Certificate/vpsie-rebalancer/executor-nats-client",
		"Certificate/vpsie-rebalancer/nats-watcher-client",
	}, added)
	for secret, c := range certs {
		issuer, _, _ := unstructured.NestedString(c.Object, "spec", "issuerRef", "name")
		require.True(t, issuers[issuer], "%s: no Issuer %s", key(c), issuer)
		if secret != "rebalancer-ca" {
			require.Equal(t, "rebalancer-ca", issuer, "%s is signed by the installation's CA", key(c))
		}
	}

	// Each service reads its certificate, key and client CA where its
	// Secret is mounted, and the executor its NATS client certificate.
	all := workloads(t, objs)
	for name, prefix := range services {
		pod := all[name].template.Spec
		c := pod.Containers[0]
		env := plainEnv(c)
		files := map[string]string{prefix + "_TLS_CERT_FILE": "tls.crt", prefix + "_TLS_KEY_FILE": "tls.key", prefix + "_CLIENT_CA_FILE": "ca.crt"}
		if name == "executor" {
			for k, v := range map[string]string{"EXECUTOR_NATS_TLS_CERT_FILE": "tls.crt", "EXECUTOR_NATS_TLS_KEY_FILE": "tls.key", "EXECUTOR_NATS_TLS_CA_FILE": "ca.crt"} {
				files[k] = v
			}
			require.True(t, strings.HasPrefix(env["EXECUTOR_NATS_URL"], "tls://"), "the executor must speak TLS to NATS")
		}
		for variable, file := range files {
			path := env[variable]
			require.NotEmpty(t, path, "%s: %s", name, variable)
			secret := mountedSecret(t, pod, c.VolumeMounts, filepath.Dir(path))
			require.Contains(t, certs, secret, "%s: %s reads Secret %s, which no Certificate makes", name, variable, secret)
			require.Equal(t, file, filepath.Base(path), "%s: %s", name, variable)
		}
		require.Equal(t, "kubernetes", env[prefix+"_AUTH"], name)
		require.NotNil(t, pod.SecurityContext.FSGroup, "%s: the mounted files must be readable", name)
	}
	nats := all["nats"].template.Spec
	require.Equal(t, "nats-tls", mountedSecret(t, nats, nats.Containers[0].VolumeMounts, "/etc/nats-tls"))
}

// mountedSecret is the Secret mounted read-only at dir.
func mountedSecret(t *testing.T, pod corev1.PodSpec, mounts []corev1.VolumeMount, dir string) string {
	t.Helper()
	for _, m := range mounts {
		if m.MountPath != dir {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				require.True(t, m.ReadOnly, "%s is mounted writable", dir)
				return v.Secret.SecretName
			}
		}
	}
	require.FailNow(t, "no Secret mounted", "at %s", dir)
	return ""
}

// TestTLSComponentNATSUsers runs nats-server with the component's
// nats.conf (its client side: TLS, users by certificate, permissions; the
// routes and JetStream clustering aside) and checks that only the executor
// publishes progress and writes the executions bucket, and that a watcher
// reads both.
func TestTLSComponentNATSUsers(t *testing.T) {
	t.Parallel()
	conf, _, err := unstructured.NestedString(find(t, renderTLS(t), "ConfigMap", "nats-config").Object, "data", "nats.conf")
	require.NoError(t, err)
	pki := newNATSPKI(t)
	conf = strings.ReplaceAll(conf, "/etc/nats-tls/", pki.dir+"/")
	conf = strings.ReplaceAll(conf, "$SERVER_NAME", "nats-0")
	path := filepath.Join(pki.dir, "nats.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	opts := &server.Options{}
	require.NoError(t, opts.ProcessConfigFile(path))
	require.True(t, opts.TLSMap, "clients are known by their certificates")
	require.Equal(t, tls.RequireAndVerifyClientCert, opts.TLSConfig.ClientAuth, "clients need a certificate")
	require.NotNil(t, opts.Cluster.TLSConfig, "routes use TLS")
	for _, r := range opts.Routes {
		require.Equal(t, "tls", r.Scheme)
	}

	opts.Port, opts.HTTPPort, opts.Host = -1, 0, "127.0.0.1"
	opts.Cluster, opts.Routes = server.ClusterOpts{}, nil
	opts.StoreDir, opts.NoLog, opts.NoSigs = t.TempDir(), true, true
	srv, err := server.NewServer(opts)
	require.NoError(t, err)
	go srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(srv.Shutdown)

	executor := pki.connect(t, srv, "rebalancer-executor")
	watcher := pki.connect(t, srv, "rebalancer-watcher")
	_, err = nats.Connect(srv.ClientURL(), nats.RootCAs(pki.caFile), nats.Secure()) // no certificate
	require.Error(t, err)
	stranger := pki.connect(t, srv, "someone-else")
	require.Nil(t, stranger, "a certificate of no known user is refused")

	// The executor publishes progress; the watcher receives it.
	sub, err := watcher.conn.SubscribeSync("rebalancer.events.>")
	require.NoError(t, err)
	require.NoError(t, watcher.conn.Flush())
	require.NoError(t, executor.conn.Publish("rebalancer.events.shop.web.exec-1.step", []byte("ok")))
	msg, err := sub.NextMsg(5 * time.Second)
	require.NoError(t, err)
	require.Equal(t, "ok", string(msg.Data))

	// The watcher may not publish progress: refused, and never delivered.
	require.NoError(t, watcher.conn.Publish("rebalancer.events.shop.web.exec-1.step", []byte("forged")))
	require.NoError(t, watcher.conn.Flush())
	require.Eventually(t, func() bool { return watcher.refused() }, 5*time.Second, 20*time.Millisecond)
	_, err = sub.NextMsg(300 * time.Millisecond)
	require.ErrorIs(t, err, nats.ErrTimeout, "a forged event was delivered")

	// The bucket: the executor writes, the watcher reads and cannot write.
	js, err := executor.conn.JetStream()
	require.NoError(t, err)
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "REBALANCER_EXECUTIONS"})
	require.NoError(t, err)
	_, err = kv.Put("exec-1", []byte("running"))
	require.NoError(t, err)
	wjs, err := watcher.conn.JetStream()
	require.NoError(t, err)
	wkv, err := wjs.KeyValue("REBALANCER_EXECUTIONS")
	require.NoError(t, err)
	entry, err := wkv.Get("exec-1")
	require.NoError(t, err)
	require.Equal(t, "running", string(entry.Value()))
	_, err = wkv.Put("exec-1", []byte("cancelled"))
	require.Error(t, err, "a watcher wrote an execution")
	entry, err = kv.Get("exec-1")
	require.NoError(t, err)
	require.Equal(t, "running", string(entry.Value()))
}

// natsClient is a connection and whether the server refused something.
type natsClient struct {
	conn    *nats.Conn
	errs    chan error
	sawDeny bool
}

func (c *natsClient) refused() bool {
	for {
		select {
		case err := <-c.errs:
			if strings.Contains(err.Error(), "Permissions Violation") {
				c.sawDeny = true
			}
		default:
			return c.sawDeny
		}
	}
}

// natsPKI is a CA and certificates for the test's nats-server, written
// where the component's nats.conf expects them (a temporary folder).
type natsPKI struct {
	dir, caFile string
	ca          *x509.Certificate
	key         *ecdsa.PrivateKey
}

func newNATSPKI(t *testing.T) *natsPKI {
	t.Helper()
	p := &natsPKI{dir: t.TempDir()}
	var err error
	p.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &p.key.PublicKey, p.key)
	require.NoError(t, err)
	p.ca, err = x509.ParseCertificate(der)
	require.NoError(t, err)
	p.caFile = filepath.Join(p.dir, "ca.crt")
	require.NoError(t, os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	certPEM, keyPEM := p.issue(t, "nats", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth})
	require.NoError(t, os.WriteFile(filepath.Join(p.dir, "tls.crt"), certPEM, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(p.dir, "tls.key"), keyPEM, 0o600))
	return p
}

func (p *natsPKI) issue(t *testing.T, cn string, usage []x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, ExtKeyUsage: usage,
		KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	if cn == "nats" {
		tpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, p.ca, &key.PublicKey, p.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// connect connects with a client certificate of common name cn; nil when
// the server refuses it.
func (p *natsPKI) connect(t *testing.T, srv *server.Server, cn string) *natsClient {
	t.Helper()
	certPEM, keyPEM := p.issue(t, cn, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	c := &natsClient{errs: make(chan error, 16)}
	c.conn, err = nats.Connect(srv.ClientURL(), nats.Secure(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case c.errs <- err:
			default:
			}
		}))
	if err != nil {
		return nil
	}
	t.Cleanup(c.conn.Close)
	return c
}
