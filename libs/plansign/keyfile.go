package plansign

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// PEM block types: PKCS#8 for the private key, PKIX for public keys.
const (
	pemPrivate = "PRIVATE KEY"
	pemPublic  = "PUBLIC KEY"
)

// LoadSigner reads the Planner's private key from a PEM file holding a
// PKCS#8 Ed25519 key ("-----BEGIN PRIVATE KEY-----"), as written by
// `openssl genpkey -algorithm ed25519`.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return NewSigner(key), nil
}

// ParsePrivateKey decodes one PEM PKCS#8 Ed25519 private key.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(b)
	switch {
	case block == nil:
		return nil, errors.New("no PEM block: want an Ed25519 key in PEM PKCS#8 (BEGIN PRIVATE KEY)")
	case block.Type != pemPrivate:
		return nil, fmt.Errorf("PEM block is %q, want %q (PKCS#8)", block.Type, pemPrivate)
	case len(strings.TrimSpace(string(rest))) > 0:
		return nil, errors.New("more than one PEM block: want exactly one private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8: %w", err)
	}
	ed, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want Ed25519", k)
	}
	return ed, nil
}

// ParsePublicKeys decodes every PEM PKIX Ed25519 public key in b; a file
// may hold several. It fails on any other block and when there is none.
func ParsePublicKeys(b []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != pemPublic {
			return nil, fmt.Errorf("PEM block %d is %q, want %q (PKIX)", len(keys)+1, block.Type, pemPublic)
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", len(keys)+1, err)
		}
		ed, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("PEM block %d is a %T key, want Ed25519", len(keys)+1, k)
		}
		keys = append(keys, ed)
	}
	if len(strings.TrimSpace(string(b))) > 0 {
		return nil, errors.New("text after the last PEM block is not a PEM public key")
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM public key: want Ed25519 keys in PEM PKIX (BEGIN PUBLIC KEY)")
	}
	return keys, nil
}

// LoadVerifier trusts the public keys in paths. A path is a PEM file or
// a directory whose regular files are each read as one (names starting
// with a dot are skipped, such as the ..data links of a mounted Secret or
// ConfigMap, whose entries are followed). No paths gives a Verifier of no
// keys; a path that holds no key is an error.
func LoadVerifier(paths ...string) (*Verifier, error) {
	var keys []ed25519.PublicKey
	for _, p := range paths {
		files, err := keyFiles(p)
		if err != nil {
			return nil, fmt.Errorf("plan public keys: %w", err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("plan public keys: %w", err)
			}
			ks, err := ParsePublicKeys(b)
			if err != nil {
				return nil, fmt.Errorf("plan public key %s: %w", f, err)
			}
			keys = append(keys, ks...)
		}
	}
	return NewVerifier(keys...), nil
}

// keyFiles is path itself, or a directory's visible files, sorted.
func keyFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		full := filepath.Join(path, e.Name())
		st, err := os.Stat(full) // follows the links of a mounted Secret
		if err != nil {
			return nil, err
		}
		if st.Mode().IsRegular() {
			files = append(files, full)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("directory %s holds no key file", path)
	}
	slices.Sort(files)
	return files, nil
}

// EncodePrivateKey writes key as PEM PKCS#8, the format LoadSigner reads.
func EncodePrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
}

// EncodePublicKey writes key as PEM PKIX, the format LoadVerifier reads.
func EncodePublicKey(key ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// WriteKeyPair generates a fresh key pair and writes the private key to
// privPath (mode 0600) and the public key to pubPath: a throwaway pair
// for the demo and tests.
func WriteKeyPair(privPath, pubPath string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	privPEM, err := EncodePrivateKey(priv)
	if err != nil {
		return err
	}
	pubPEM, err := EncodePublicKey(pub)
	if err != nil {
		return err
	}
	if err := os.WriteFile(privPath, privPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(pubPath, pubPEM, 0o644) //nolint:gosec // a public key
}
