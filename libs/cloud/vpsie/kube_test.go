package vpsie_test

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

const clusterID = "6f1c2a8e-0000-4000-8000-000000000001"

func TestGetKubeClusterListsWorkersOnlyWhateverTheNumbersLookLike(t *testing.T) {
	t.Parallel()
	_, url := serveScript(t, answer{status: 200, body: `{"error":false,"data":{
		"identifier":"` + clusterID + `","cluster_name":"prod","dcIdentifier":"dc-1",
		"nodes":[
			{"id":1,"identifier":"m-1","hostname":"prod-master-1","group_id":null,"node_type":1},
			{"id":"42","identifier":"w-1","hostname":"prod-web-ab12c","group_id":"7","node_type":"2","created_on":"2026-12-01 10:00:00"}
		]}}`})
	c, err := newClient(t, url).GetKubeCluster(t.Context(), clusterID)
	require.NoError(t, err)
	require.Equal(t, "prod", c.Name)
	require.Len(t, c.Nodes, 1, "the control plane is left out")
	n := c.Nodes[0]
	require.Equal(t, cloud.KubeNode{ID: "w-1", NumericID: 42, Hostname: "prod-web-ab12c", GroupID: 7, CreatedAt: n.CreatedAt}, n)
	require.False(t, n.CreatedAt.IsZero())
}

func TestListKubeOffersAreCheapestFirstUnderNumericIDs(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apps/v2/datacenter", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"error":false,"data":[{"identifier":"dc-1","dc_name":"dc-nyc1"}]}`)
	})
	mux.HandleFunc("POST /apps/v2/k8s/offers", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		require.JSONEq(t, `{"dcIdentifier":"dc-1"}`, string(body))
		_, _ = io.WriteString(w, `{"error":false,"data":[
			{"id":9,"name":"big","cpu":8,"ram":"16384","disk":200,"price":"47.50","hourly_price":0.065},
			{"id":"3","name":"small","cpu":"2","ram":4096,"disk":"50","price":12.5}]}`)
	})
	offers, err := newClient(t, serveHandler(t, mux)).ListKubeOffers(t.Context(), "dc-nyc1")
	require.NoError(t, err)
	require.Equal(t, []cloud.Offering{
		{ID: "3", Name: "small", CPU: 2, RAMMB: 4096, DiskGB: 50, MonthlyPrice: 12.5},
		{ID: "9", Name: "big", CPU: 8, RAMMB: 16384, DiskGB: 200, MonthlyPrice: 47.5},
	}, offers)
}

func TestAddKubeNode(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		answers  []answer
		requests int
		check    func(*testing.T, error)
	}{
		"a bare true":             {[]answer{{status: 200, body: `{"error":false,"data":true}`}}, 1, noError},
		"an object":               {[]answer{{status: 200, body: `{"error":false,"data":{"message":"queued","id":5}}`}}, 1, noError},
		"a 502 is not sent again": {[]answer{{status: 502, body: fail500}}, 1, isTransient},
		"a 500 in an HTTP 200 is not sent again": {
			[]answer{{status: 200, body: fail500}}, 1, isTransient},
		"a 429 is sent again": {[]answer{{status: 429, body: fail429}, {status: 200, body: `{"error":false,"data":true}`}}, 2, noError},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, url := serveScript(t, tc.answers...)
			err := newClient(t, url).AddKubeNode(t.Context(), clusterID, 7)
			tc.check(t, err)
			require.Equal(t, tc.requests, s.count())
			require.Equal(t, "/apps/v2/k8s/cluster/byId/"+clusterID+"/add/slave/group/7", s.request(0).URL.Path)
		})
	}
}

func TestAddKubeNodeAfterATimeoutIsNotSentAgain(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	url := serveHandler(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done() // the node may be on its way; the answer never comes
	}))
	c := newClient(t, url, func(o *vpsie.Options) { o.AttemptTimeout = 50 * time.Millisecond })
	err := c.AddKubeNode(t.Context(), clusterID, 7)
	require.True(t, cloud.IsTransient(err), "got %v", err)
	require.Equal(t, int32(1), calls.Load())
}

func TestDeleteKubeNodeOfANodeAlreadyGoneSucceeds(t *testing.T) {
	t.Parallel()
	s, url := serveScript(t,
		answer{status: 404, body: `{"error":true,"code":404,"message":"node not found"}`},
		answer{status: 200, body: `{"error":false,"data":{"identifier":"` + clusterID + `","nodes":[]}}`})
	require.NoError(t, newClient(t, url).DeleteKubeNode(t.Context(), clusterID, "w-1"))
	require.Equal(t, http.MethodDelete, s.request(0).Method)
	require.Equal(t, "/apps/v2/k8s/cluster/byId/"+clusterID+"/delete/slave", s.request(0).URL.Path)

	_, url = serveScript(t, answer{status: 404, body: `{"error":true,"code":404,"message":"cluster not found"}`})
	err := newClient(t, url).DeleteKubeNode(t.Context(), clusterID, "w-1")
	require.True(t, cloud.IsNotFound(err), "an unknown cluster stays an error: %v", err)
}

func noError(t *testing.T, err error)     { require.NoError(t, err) }
func isTransient(t *testing.T, err error) { require.True(t, cloud.IsTransient(err), "got %v", err) }
