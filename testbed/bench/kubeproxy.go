package bench

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeProxy stands between the Executor and the API server and counts the
// Executor's requests by verb and resource. The API server's own
// apiserver_request_total counts every client (scheduler, controllers,
// kwok, the harness), so it cannot say what the Executor cost.
type kubeProxy struct {
	srv  *http.Server
	addr string

	mu     sync.Mutex
	counts map[string]int // "verb resource[/subresource]"
}

// startKubeProxy forwards plain HTTP on a loopback port to the API server
// of cfg, authenticated as cfg.
func startKubeProxy(cfg *rest.Config) (*kubeProxy, error) {
	target, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, err
	}
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &kubeProxy{addr: l.Addr().String(), counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = transport
	rp.FlushInterval = -1 // watches stream
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.count(r)
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 0}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

func (p *kubeProxy) count(r *http.Request) {
	key := requestKey(r)
	p.mu.Lock()
	p.counts[key]++
	p.mu.Unlock()
}

// requestKey names a request as the API server's metrics would: its verb
// (list and watch told apart from get) and its resource and subresource.
func requestKey(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	resource := resourceOf(parts)
	verb := strings.ToLower(r.Method)
	switch {
	case r.Method == http.MethodGet && (r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1"):
		verb = "watch"
	case r.Method == http.MethodGet && !namesOne(parts):
		verb = "list"
	case r.Method == http.MethodPost && strings.HasSuffix(resource, "/eviction"):
		verb = "create"
	}
	return verb + " " + resource
}

// resourceOf finds the resource (and subresource) in an API path:
// /api/v1/[namespaces/ns/]kind[/name[/sub]] or /apis/group/version/...
func resourceOf(parts []string) string {
	i := 2
	if len(parts) > 0 && parts[0] == "apis" {
		i = 3
	}
	if len(parts) > i+1 && parts[i] == "namespaces" && len(parts) > i+2 {
		i += 2
	}
	if len(parts) <= i {
		return strings.Join(parts, "/")
	}
	res := parts[i]
	if len(parts) > i+2 {
		res += "/" + parts[i+2]
	}
	return res
}

// namesOne: the path names one object (a get), not a collection.
func namesOne(parts []string) bool {
	i := 2
	if len(parts) > 0 && parts[0] == "apis" {
		i = 3
	}
	if len(parts) > i+1 && parts[i] == "namespaces" && len(parts) > i+2 {
		i += 2
	}
	return len(parts) > i+1
}

// snapshot returns the counts so far.
func (p *kubeProxy) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// requestsSince are the requests made after before, evictions apart.
func requestsSince(before, after map[string]int) (requests, evictions int, byKind map[string]int) {
	byKind = map[string]int{}
	for k, v := range after {
		d := v - before[k]
		if d == 0 {
			continue
		}
		if strings.HasSuffix(k, "pods/eviction") {
			evictions += d
			continue
		}
		requests += d
		byKind[k] = d
	}
	return requests, evictions, byKind
}

// topKinds renders the n largest counts, "verb resource=count".
func topKinds(byKind map[string]int, n int) string {
	keys := sets.List(sets.KeySet(byKind))
	sort.SliceStable(keys, func(i, j int) bool { return byKind[keys[i]] > byKind[keys[j]] })
	if len(keys) > n {
		keys = keys[:n]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s=%d", k, byKind[k])
	}
	return strings.Join(out, ", ")
}

// kubeconfig writes a kubeconfig that reaches the API server through p.
func (p *kubeProxy) kubeconfig(dir string) (string, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["bench"] = &clientcmdapi.Cluster{Server: "http://" + p.addr}
	cfg.AuthInfos["bench"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["bench"] = &clientcmdapi.Context{Cluster: "bench", AuthInfo: "bench"}
	cfg.CurrentContext = "bench"
	path := filepath.Join(dir, "executor.kubeconfig")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return path, clientcmd.WriteToFile(*cfg, path)
}

func (p *kubeProxy) close() { _ = p.srv.Close() }
