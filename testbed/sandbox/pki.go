package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is the sandbox's key material, written as files the components read.
type pki struct {
	caFile, certFile, keyFile string // serving CA, API server cert and key
	saPrivate, saPublic       string // service-account token signing pair
	caPEM                     []byte // for kubeconfigs
}

// The service IP the API server gives itself must be in its serving cert,
// or in-cluster clients would refuse it.
const (
	serviceCIDR     = "10.0.0.0/24"
	kubernetesSvcIP = "10.0.0.1"
)

func newPKI(dir string) (*pki, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := template("sandbox-ca")
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srv := template("kube-apiserver")
	srv.KeyUsage = x509.KeyUsageDigitalSignature
	srv.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	srv.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(kubernetesSvcIP)}
	srv.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, caCert, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}

	// Service-account tokens are RS256 by default everywhere; keep to it.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &pki{
		caFile:    filepath.Join(dir, "ca.crt"),
		certFile:  filepath.Join(dir, "apiserver.crt"),
		keyFile:   filepath.Join(dir, "apiserver.key"),
		saPrivate: filepath.Join(dir, "sa.key"),
		saPublic:  filepath.Join(dir, "sa.pub"),
		caPEM:     pemBlock("CERTIFICATE", caDER),
	}
	return p, p.write(srvDER, key, saKey)
}

func (p *pki) write(srvDER []byte, key crypto.Signer, saKey *rsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	saDER, err := x509.MarshalPKCS8PrivateKey(saKey)
	if err != nil {
		return err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return err
	}
	files := map[string][]byte{
		p.caFile:    p.caPEM,
		p.certFile:  pemBlock("CERTIFICATE", srvDER),
		p.keyFile:   pemBlock("PRIVATE KEY", keyDER),
		p.saPrivate: pemBlock("PRIVATE KEY", saDER),
		p.saPublic:  pemBlock("PUBLIC KEY", saPubDER),
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func template(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"node-rebalancer sandbox"}},
		NotBefore:    now.Add(-time.Hour), // tolerate a little clock skew
		NotAfter:     now.Add(7 * 24 * time.Hour),
	}
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// randomToken returns a bearer token that is never reused across sandboxes.
func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
