package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/client-go/tools/clientcmd"
)

// securityOptions are how the CLI proves who it is and whom it talks to.
// Without any of them it speaks plaintext with no credential: the demo's
// loopback services (--auth=none). A bearer token is only ever sent over
// TLS.
type securityOptions struct {
	tls                bool
	caFile             string
	certFile, keyFile  string
	serverName         string
	token, tokenFile   string
	kubeconfig, kubeCx string
}

// securityFlags are the flags of securityOptions, each with its variable.
var securityFlags = []string{"tls", "ca-file", "cert-file", "key-file", "tls-server-name", "token", "token-file", "kubeconfig", "context"}

func (o *securityOptions) register(fs *pflag.FlagSet) {
	fs.BoolVar(&o.tls, "tls", false, "connect with TLS, verifying the services' certificates against the system's CAs (or --ca-file)")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM CA bundle the services' certificates chain to; implies --tls")
	fs.StringVar(&o.certFile, "cert-file", "", "PEM client certificate for mutual TLS (its CN is the user, O the groups); implies --tls")
	fs.StringVar(&o.keyFile, "key-file", "", "PEM private key of --cert-file")
	fs.StringVar(&o.serverName, "tls-server-name", "", "name to verify the services' certificates against, e.g. analyzer.vpsie-rebalancer.svc through a port-forward")
	fs.StringVar(&o.token, "token", "", "bearer token sent with every call, e.g. $(kubectl create token ...); needs TLS")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token; needs TLS")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig whose context gives the token and the services' CA when --token and --ca-file are not set; implies --tls")
	fs.StringVar(&o.kubeCx, "context", "", "kubeconfig context to use instead of its current one")
}

// dialOptions are the transport and call credentials of every connection.
func (o *securityOptions) dialOptions() ([]grpc.DialOption, error) {
	token, caPEM, err := o.fromKubeconfig()
	if err != nil {
		return nil, err
	}
	if o.token != "" {
		token = o.token
	}
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return nil, usageErrorf("--token-file: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if o.caFile != "" {
		if caPEM, err = os.ReadFile(o.caFile); err != nil {
			return nil, usageErrorf("--ca-file: %v", err)
		}
	}
	useTLS := o.tls || o.kubeconfig != "" || len(caPEM) > 0 || o.certFile != ""
	if !useTLS {
		if token != "" {
			return nil, usageErrorf("a bearer token is never sent in plaintext: add --tls or --ca-file")
		}
		return []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.serverName}
	if len(caPEM) > 0 {
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(caPEM) {
			return nil, usageErrorf("no PEM certificate in the services' CA (--ca-file or the kubeconfig's cluster)")
		}
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return nil, usageErrorf("--cert-file and --key-file go together")
	}
	if o.certFile != "" {
		cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
		if err != nil {
			return nil, usageErrorf("--cert-file, --key-file: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(cfg))}
	if token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(token)))
	}
	return opts, nil
}

// fromKubeconfig reads the token and the cluster's CA of the kubeconfig's
// context, when one is named.
func (o *securityOptions) fromKubeconfig() (token string, caPEM []byte, err error) {
	if o.kubeconfig == "" {
		if o.kubeCx != "" {
			return "", nil, usageErrorf("--context needs --kubeconfig")
		}
		return "", nil, nil
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: o.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: o.kubeCx})
	cfg, err := loader.ClientConfig()
	if err != nil {
		return "", nil, usageErrorf("--kubeconfig %s: %v", o.kubeconfig, err)
	}
	token = cfg.BearerToken
	if token == "" && cfg.BearerTokenFile != "" {
		b, err := os.ReadFile(cfg.BearerTokenFile)
		if err != nil {
			return "", nil, usageErrorf("--kubeconfig %s: token file: %v", o.kubeconfig, err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" && cfg.ExecProvider != nil && o.token == "" && o.tokenFile == "" {
		return "", nil, usageErrorf("--kubeconfig %s: its user gets tokens from an exec plugin, which rebalancectl does not run: pass --token $(kubectl create token <service account>)", o.kubeconfig)
	}
	caPEM = cfg.CAData
	if len(caPEM) == 0 && cfg.CAFile != "" {
		if caPEM, err = os.ReadFile(cfg.CAFile); err != nil {
			return "", nil, usageErrorf("--kubeconfig %s: CA file: %v", o.kubeconfig, err)
		}
	}
	return token, caPEM, nil
}

// bearer sends "authorization: Bearer <token>" with every call, over TLS only.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return true }

// String keeps the token out of any print of the options.
func (bearer) String() string { return fmt.Sprintf("%T(redacted)", bearer("")) }
