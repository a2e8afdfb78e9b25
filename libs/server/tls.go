package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/vpsie/node-rebalancer/libs/config"
)

// TLSFiles are the PEM files of the server's TLS: its certificate and key,
// and for mutual TLS the CA its clients' certificates must chain to. They
// are read at start and read again when they change on disk (cert-manager
// rotates the mounted Secret), so a rotation needs no restart.
type TLSFiles struct {
	CertFile, KeyFile string
	// ClientCAFile, when set, asks clients for a certificate and accepts
	// one that chains to it; the caller is then its subject (CN the user,
	// O the groups). Clients without one may still send a bearer token.
	ClientCAFile string
}

func (t *TLSFiles) registerFlags(f *config.Flags) {
	f.String(&t.CertFile, "tls-cert-file", "", "PEM certificate (chain) the gRPC server presents; empty serves plaintext")
	f.String(&t.KeyFile, "tls-key-file", "", "PEM private key of --tls-cert-file")
	f.String(&t.ClientCAFile, "client-ca-file", "", "PEM CA bundle of client certificates (mutual TLS); a verified client is known by its certificate's CN (user) and O (groups)")
}

// Enabled reports whether the server serves TLS.
func (t TLSFiles) Enabled() bool { return t.CertFile != "" }

func (t TLSFiles) check() error {
	switch {
	case t.CertFile == "" && t.KeyFile != "":
		return errors.New("--tls-key-file needs --tls-cert-file")
	case t.CertFile != "" && t.KeyFile == "":
		return errors.New("--tls-cert-file needs --tls-key-file")
	case t.ClientCAFile != "" && t.CertFile == "":
		return errors.New("--client-ca-file needs --tls-cert-file and --tls-key-file: mutual TLS is TLS")
	}
	return nil
}

// tlsReloader serves the current files: at most once per interval of a
// handshake it looks at their modification times and sizes, and loads them
// again when one changed. A pair that fails to load (a rotation caught half
// written) keeps the previous one serving and is retried at the next look.
type tlsReloader struct {
	files    TLSFiles
	interval time.Duration
	now      func() time.Time
	onError  func(error)

	mu        sync.Mutex
	checked   time.Time
	stamps    string
	config    *tls.Config
	lastError string
}

// newTLSReloader loads the files once; an error here stops the start.
func newTLSReloader(files TLSFiles, onError func(error)) (*tlsReloader, error) {
	r := &tlsReloader{files: files, interval: time.Second, now: time.Now, onError: onError}
	stamps, err := r.stat()
	if err != nil {
		return nil, err
	}
	cfg, err := r.load()
	if err != nil {
		return nil, err
	}
	r.stamps, r.config, r.checked = stamps, cfg, r.now()
	return r, nil
}

// serverConfig is the tls.Config given to the gRPC credentials: every
// handshake asks the reloader for the current one.
func (r *tlsReloader) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return r.current(), nil
		},
	}
}

func (r *tlsReloader) current() *tls.Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checked) >= r.interval {
		r.checked = now
		r.reload()
	}
	return r.config
}

// reload loads the files again if they changed since the last load.
func (r *tlsReloader) reload() {
	stamps, err := r.stat()
	if err == nil && stamps == r.stamps {
		return
	}
	var cfg *tls.Config
	if err == nil {
		cfg, err = r.load()
	}
	if err != nil {
		if err.Error() != r.lastError {
			r.lastError = err.Error()
			r.onError(err)
		}
		return
	}
	r.stamps, r.config, r.lastError = stamps, cfg, ""
}

func (r *tlsReloader) paths() []string {
	p := []string{r.files.CertFile, r.files.KeyFile}
	if r.files.ClientCAFile != "" {
		p = append(p, r.files.ClientCAFile)
	}
	return p
}

// stat is the files' modification times and sizes, as one comparable string.
func (r *tlsReloader) stat() (string, error) {
	var s string
	for _, p := range r.paths() {
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("TLS: %w", err)
		}
		s += fmt.Sprintf("%s:%d:%d;", p, fi.ModTime().UnixNano(), fi.Size())
	}
	return s, nil
}

func (r *tlsReloader) load() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(r.files.CertFile, r.files.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert-file %s, --tls-key-file %s: %w", r.files.CertFile, r.files.KeyFile, err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}}
	if r.files.ClientCAFile != "" {
		pem, err := os.ReadFile(r.files.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("--client-ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--client-ca-file %s: no PEM certificate in it", r.files.ClientCAFile)
		}
		cfg.ClientCAs = pool
		// Ask, not require: a caller may authenticate by token instead.
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}
