package vpsiesim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const token = "sim-test-token"

func start(t *testing.T, opts vpsiesim.Options) *vpsiesim.Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	srv, err := vpsiesim.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// reply is a decoded envelope and the HTTP status it came with.
type reply struct {
	Status  int             `json:"-"`
	Header  http.Header     `json:"-"`
	Error   bool            `json:"error"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	Total   int             `json:"total"`
}

// call sends one request with the given token; body is JSON unless it is
// a string (sent form-encoded).
func call(t *testing.T, srv *vpsiesim.Server, tok, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd, contentType = bytes.NewBufferString(b), "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	require.NoError(t, err)
	req.Header.Set("Vpsie-Auth", tok)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var r reply
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	r.Status, r.Header = resp.StatusCode, resp.Header
	return r
}

func createBody(hostname string, tags ...string) map[string]any {
	return map[string]any{
		"resourceIdentifier": catalog.ID("offering", "compute-4"), "osIdentifier": "os-ubuntu",
		"dcIdentifier": catalog.ID("datacenter", catalog.NYC1), "hostname": hostname, "tags": tags,
	}
}

// joinToken is the cluster's join token in tests that boot VMs.
const joinToken = "abcdef.0123456789abcdef"

// joinBody is createBody with user data that joins the cluster as a
// kubelet with these labels and taints.
func joinBody(hostname string, labels map[string]string, taints []corev1.Taint) map[string]any {
	b := createBody(hostname)
	b["userData"] = vpsiesim.BootstrapUserData(joinToken, labels, taints)
	return b
}

// vms lists the account's VMs through the API.
func vms(t *testing.T, srv *vpsiesim.Server) []map[string]any {
	t.Helper()
	r := call(t, srv, token, http.MethodGet, "/api/v2/vm", nil)
	require.False(t, r.Error, r.Message)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &out))
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 5*time.Millisecond, msg)
}
