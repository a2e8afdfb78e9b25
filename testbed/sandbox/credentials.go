package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// identity is one user of the API server, known by a bearer token.
type identity struct {
	user, token string
	groups      []string
}

// The components are trusted parts of the control plane; they get distinct
// users so audit and logs say who did what. The admin is what tests and the
// demo use; they impersonate or create service accounts to test less.
var identityNames = []string{"sandbox-admin", "sandbox-controller-manager", "sandbox-scheduler", "sandbox-kwok"}

func newIdentities() (map[string]identity, error) {
	ids := make(map[string]identity, len(identityNames))
	for _, user := range identityNames {
		token, err := randomToken()
		if err != nil {
			return nil, err
		}
		ids[user] = identity{user: user, token: token, groups: []string{"system:masters"}}
	}
	return ids, nil
}

// writeTokenFile writes the API server's --token-auth-file:
// token,user,uid,"group1,group2".
func writeTokenFile(path string, ids map[string]identity) error {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s,%s,%s,%q\n", id.token, id.user, id.user, strings.Join(id.groups, ","))
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// kubeconfig is self-contained (CA and token inline), so a copy of it
// works from anywhere on the machine.
func kubeconfig(server string, caPEM []byte, id identity) clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[id.user] = &clientcmdapi.AuthInfo{Token: id.token}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: id.user}
	cfg.CurrentContext = "sandbox"
	return *cfg
}

// writeKubeconfigs writes one kubeconfig per identity into dir and returns
// their paths by user.
func writeKubeconfigs(dir, server string, caPEM []byte, ids map[string]identity) (map[string]string, error) {
	paths := make(map[string]string, len(ids))
	for user, id := range ids {
		path := filepath.Join(dir, user+".kubeconfig")
		if err := clientcmd.WriteToFile(kubeconfig(server, caPEM, id), path); err != nil {
			return nil, err
		}
		paths[user] = path
	}
	return paths, nil
}
