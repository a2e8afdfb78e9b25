package natsbus

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"
)

// writePEM writes a CA and a certificate it signs (server and client
// use) for 127.0.0.1, and returns the CA, certificate and key files.
func writePEM(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nats CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "executor"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	caFile, certFile, keyFile = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600))
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return caFile, certFile, keyFile
}

func TestSecurityConnectsWithTLSClientCertificateAndNKey(t *testing.T) {
	t.Parallel()
	caFile, certFile, keyFile := writePEM(t)
	user, err := nkeys.CreateUser()
	require.NoError(t, err)
	pub, err := user.PublicKey()
	require.NoError(t, err)
	seed, err := user.Seed()
	require.NoError(t, err)
	seedFile := filepath.Join(t.TempDir(), "executor.nk")
	require.NoError(t, os.WriteFile(seedFile, seed, 0o600))

	tlsConfig, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: certFile, KeyFile: keyFile, CaFile: caFile, Verify: true})
	require.NoError(t, err)
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true,
		TLSConfig: tlsConfig, TLSVerify: true, TLSTimeout: 2, Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	require.NoError(t, err)
	go srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(srv.Shutdown)

	sec := Security{TLSCertFile: certFile, TLSKeyFile: keyFile, TLSCAFile: caFile, NKeyFile: seedFile}
	opts, err := sec.Options()
	require.NoError(t, err)
	nc, err := Connect(srv.ClientURL(), "test", opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	require.Eventually(t, nc.IsConnected, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, nc.Publish("x", nil))

	// Each part is needed: without the NKey, or without the certificate.
	for name, s := range map[string]Security{
		"no nkey":        {TLSCertFile: certFile, TLSKeyFile: keyFile, TLSCAFile: caFile},
		"no certificate": {TLSCAFile: caFile, NKeyFile: seedFile},
	} {
		opts, err := s.Options()
		require.NoError(t, err, name)
		_, err = nats.Connect(srv.ClientURL(), opts...)
		require.Error(t, err, name)
	}
}

func TestSecurityFlagsGoTogether(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, Security{TLSCertFile: "c"}.Check(), "--nats-tls-cert-file and --nats-tls-key-file")
	require.ErrorContains(t, Security{CredsFile: "a", NKeyFile: "b"}.Check(), "give one of them")
	_, err := Security{NKeyFile: "/nonexistent"}.Options()
	require.ErrorContains(t, err, "--nats-nkey-file")
	opts, err := Security{}.Options()
	require.NoError(t, err)
	require.Empty(t, opts)
	require.Empty(t, Security{}.FirstFlag())
	require.Equal(t, "--nats-creds-file", Security{CredsFile: "c"}.FirstFlag())
}
