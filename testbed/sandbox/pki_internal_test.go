package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every name a client may use for the API server must verify against the
// sandbox's CA: loopback for tests, the Service names for in-cluster code.
func TestServingCertificateCoversEveryName(t *testing.T) {
	t.Parallel()
	keys, err := newPKI(t.TempDir())
	require.NoError(t, err)
	pair, err := tls.LoadX509KeyPair(keys.certFile, keys.keyFile)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(keys.caPEM))

	for _, name := range []string{"127.0.0.1", "localhost", kubernetesSvcIP, "kubernetes.default.svc"} {
		_, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: roots})
		require.NoError(t, err, name)
	}
	for _, file := range []string{keys.keyFile, keys.saPrivate} {
		info, err := os.Stat(file)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), file)
	}
}

func TestFreePortsAreDistinct(t *testing.T) {
	t.Parallel()
	ports, err := freePorts(6)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		require.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
}

func TestTokenFileHasOneLinePerIdentity(t *testing.T) {
	t.Parallel()
	ids, err := newIdentities()
	require.NoError(t, err)
	path := t.TempDir() + "/tokens.csv"
	require.NoError(t, writeTokenFile(path, ids))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, id := range ids {
		require.Contains(t, string(data), id.token+","+id.user+","+id.user+`,"system:masters"`)
	}
}
