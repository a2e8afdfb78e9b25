package vpsie_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func vmItem(id, hostname string) string {
	return `{"id":"` + id + `","identifier":"uuid-` + id + `","hostname":"` + hostname + `","state":"running"}`
}

func TestListVMsReadsEveryPage(t *testing.T) {
	t.Parallel()
	s, url := serveScript(t,
		answer{status: 200, body: `{"error":false,"total":3,"data":[` + vmItem("1", "a") + `,` + vmItem("2", "b") + `]}`},
		answer{status: 200, body: `{"error":false,"total":3,"data":[` + vmItem("3", "c") + `]}`})
	vms, err := newClient(t, url).ListVMs(t.Context())
	require.NoError(t, err)
	require.Len(t, vms, 3)
	require.Equal(t, 2, s.count())
	require.Equal(t, "1", s.request(0).URL.Query().Get("page"))
	require.Equal(t, "2", s.request(1).URL.Query().Get("page"))
	require.NotEmpty(t, s.request(0).URL.Query().Get("per_page"))
}

func TestAListThatChangesWhilePagedIsReadAgain(t *testing.T) {
	t.Parallel()
	s, url := serveScript(t,
		answer{status: 200, body: `{"error":false,"total":3,"data":[` + vmItem("1", "a") + `,` + vmItem("2", "b") + `]}`},
		answer{status: 200, body: `{"error":false,"total":2,"data":[]}`}, // one was deleted meanwhile
		answer{status: 200, body: `{"error":false,"total":2,"data":[` + vmItem("1", "a") + `,` + vmItem("3", "c") + `]}`})
	vms, err := newClient(t, url).ListVMs(t.Context())
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, []string{vms[0].Hostname, vms[1].Hostname})
	require.Equal(t, 3, s.count())
}

func TestFindVMReadsPendingBeforeTheList(t *testing.T) {
	t.Parallel()
	var order []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apps/v2/vm/pending", func(w http.ResponseWriter, _ *http.Request) {
		order = append(order, "pending")
		_, _ = w.Write([]byte(`{"error":false,"data":[{"id":"77","data":{"hostname":"web-1","dcIdentifier":"dc-1","tags":["k8s-label:a=b"]},"running":1,"type":"create"}]}`))
	})
	mux.HandleFunc("GET /api/v2/vm", func(w http.ResponseWriter, _ *http.Request) {
		order = append(order, "list")
		_, _ = w.Write([]byte(`{"error":false,"total":0,"data":[]}`))
	})
	vm, err := newClient(t, serveHandler(t, mux)).FindVM(t.Context(), "web-1")
	require.NoError(t, err)
	require.Equal(t, []string{"pending", "list"}, order)
	require.Empty(t, vm.ID)
	require.Equal(t, cloud.VMBuilding, vm.Status)
	require.Equal(t, map[string]string{"a": "b"}, vm.Labels)
}
