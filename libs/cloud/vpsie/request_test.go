package vpsie_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

func TestEveryRequestCarriesTheToken(t *testing.T) {
	t.Parallel()
	srv, url := serveScript(t, answer{200, nil, okQuota})
	_, err := newClient(t, url).Quota(t.Context())
	require.NoError(t, err)
	req := srv.request(0)
	require.Equal(t, token, req.Header.Get("Vpsie-Auth"))
	require.Equal(t, "/api/v2/account/quota", req.URL.Path)
}

func TestTheTokenIsNeverLoggedNorInAnError(t *testing.T) {
	t.Parallel()
	echo := `{"error":true,"code":401,"message":"token ` + token + ` is not valid"}`
	_, url := serveScript(t, answer{500, nil, fail500}, answer{200, nil, echo})
	var logs bytes.Buffer
	c := newClient(t, url, func(o *vpsie.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := c.Quota(t.Context())
	require.ErrorIs(t, err, cloud.ErrUnauthorized)
	require.NotContains(t, err.Error(), token, "the server echoed it; the client must not")
	require.Contains(t, err.Error(), "[redacted]")
	require.NotEmpty(t, logs.String())
	require.NotContains(t, logs.String(), token)
}

func TestNewRefusesIncompleteOptions(t *testing.T) {
	t.Parallel()
	valid := vpsie.Options{Token: "t", OSIdentifier: "os", BaseURL: "https://api.vpsie.com"}
	cases := map[string]func(*vpsie.Options){
		"no token":            func(o *vpsie.Options) { o.Token = "" },
		"no OS identifier":    func(o *vpsie.Options) { o.OSIdentifier = "" },
		"a relative base URL": func(o *vpsie.Options) { o.BaseURL = "api.vpsie.com" },
		"a non-HTTP base URL": func(o *vpsie.Options) { o.BaseURL = "ftp://api.vpsie.com" },
	}
	_, err := vpsie.New(valid)
	require.NoError(t, err)
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := valid
			change(&o)
			_, err := vpsie.New(o)
			require.Error(t, err)
		})
	}
}

func TestDeleteSendsTheIdentifierAndTreatsNotFoundAsDone(t *testing.T) {
	t.Parallel()
	srv, url := serveScript(t, answer{404, nil, `{"error":true,"code":404,"message":"VM not found"}`})
	require.NoError(t, newClient(t, url).DeleteVM(t.Context(), "6f1c0d0e"))
	req := srv.request(0)
	require.Equal(t, http.MethodDelete, req.Method)
	require.Equal(t, "/api/v2/vm", req.URL.Path)
}

func TestDeleteBody(t *testing.T) {
	t.Parallel()
	var body map[string]any
	url := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		_, _ = w.Write([]byte(`{"error":false,"data":"deleted"}`))
	}))
	require.NoError(t, newClient(t, url).DeleteVM(t.Context(), "6f1c0d0e"))
	require.Equal(t, "6f1c0d0e", body["vmIdentifier"])
	require.Contains(t, body, "deleteStatistic")
}

func TestPlansAreAskedForFormEncoded(t *testing.T) {
	t.Parallel()
	var form url.Values
	var contentType string
	base := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/apps/v2/datacenter":
			_, _ = w.Write([]byte(`{"error":false,"data":[{"identifier":"dc-uuid","dc_name":"dc-nyc1","is_active":"1"}]}`))
		case "/api/v2/plans/category":
			_, _ = w.Write([]byte(`{"error":false,"data":[{"identifier":"cat-uuid","name":"Standard"}]}`))
		case "/apps/v2/resources":
			contentType = r.Header.Get("Content-Type")
			_ = r.ParseForm()
			form = r.PostForm
			_, _ = w.Write([]byte(`{"error":false,"data":[{"identifier":"p","nickname":"standard-8","cpu":"8","ram":16384,"ssd":"320","price":"48.00"}]}`))
		}
	}))
	offerings, err := newClient(t, base).ListOfferings(t.Context(), "dc-nyc1")
	require.NoError(t, err)
	require.Equal(t, "application/x-www-form-urlencoded", contentType)
	require.Equal(t, "dc-uuid", form.Get("dcIdentifier"))
	require.Equal(t, "cat-uuid", form.Get("planCatIdentifier"))
	require.Equal(t, "os-ubuntu-24-04", form.Get("osIdentifier"))
	require.Equal(t, "0", form.Get("isCustom"))
	require.Equal(t, []cloud.Offering{{ID: "p", Name: "standard-8", Category: "Standard", CPU: 8, RAMMB: 16384, DiskGB: 320, MonthlyPrice: 48}}, offerings)
}
