package natsbus

import (
	"errors"

	"github.com/nats-io/nats.go"

	"github.com/vpsie/node-rebalancer/libs/config"
)

// Security is how a service connects to an external NATS: TLS (the
// server's CA, and a client certificate when the server verifies them,
// possibly mapping it to a user), and a user's credentials (a .creds file
// of a JWT and NKey seed, or an NKey seed alone). Zero connects in
// plaintext without credentials, as to the embedded server.
type Security struct {
	TLSCertFile, TLSKeyFile, TLSCAFile string
	CredsFile, NKeyFile                string
}

// RegisterFlags declares --nats-tls-cert-file, --nats-tls-key-file,
// --nats-tls-ca-file, --nats-creds-file and --nats-nkey-file.
func (s *Security) RegisterFlags(f *config.Flags) {
	f.String(&s.TLSCertFile, "nats-tls-cert-file", "", "PEM client certificate for NATS (TLS with client verification, or a user mapped from it)")
	f.String(&s.TLSKeyFile, "nats-tls-key-file", "", "PEM private key of --nats-tls-cert-file")
	f.String(&s.TLSCAFile, "nats-tls-ca-file", "", "PEM CA bundle of the NATS servers' certificates; setting it requires TLS")
	f.String(&s.CredsFile, "nats-creds-file", "", "NATS user credentials file (JWT and NKey seed)")
	f.String(&s.NKeyFile, "nats-nkey-file", "", "file holding the NATS user's NKey seed")
}

// Check reports flags that cannot go together.
func (s Security) Check() error {
	switch {
	case (s.TLSCertFile == "") != (s.TLSKeyFile == ""):
		return errors.New("--nats-tls-cert-file and --nats-tls-key-file go together")
	case s.CredsFile != "" && s.NKeyFile != "":
		return errors.New("--nats-creds-file and --nats-nkey-file: give one of them")
	}
	return nil
}

// FirstFlag names the first flag of s that is set, "" when none is.
func (s Security) FirstFlag() string {
	for _, f := range []struct{ flag, value string }{
		{"--nats-tls-cert-file", s.TLSCertFile}, {"--nats-tls-key-file", s.TLSKeyFile}, {"--nats-tls-ca-file", s.TLSCAFile},
		{"--nats-creds-file", s.CredsFile}, {"--nats-nkey-file", s.NKeyFile},
	} {
		if f.value != "" {
			return f.flag
		}
	}
	return ""
}

// Options are the nats.Options of s, to pass to Connect.
func (s Security) Options() ([]nats.Option, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	var opts []nats.Option
	if s.TLSCAFile != "" {
		opts = append(opts, nats.RootCAs(s.TLSCAFile))
	}
	if s.TLSCertFile != "" {
		opts = append(opts, nats.ClientCert(s.TLSCertFile, s.TLSKeyFile))
	}
	if s.TLSCAFile != "" || s.TLSCertFile != "" {
		opts = append(opts, nats.Secure())
	}
	if s.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(s.CredsFile))
	}
	if s.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(s.NKeyFile)
		if err != nil {
			return nil, errors.Join(errors.New("--nats-nkey-file"), err)
		}
		opts = append(opts, opt)
	}
	return opts, nil
}
