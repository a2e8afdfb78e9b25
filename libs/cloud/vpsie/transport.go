package vpsie

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// The token rides in a header of every request, so where requests go is
// guarded here: only the configured host, and only over TLS unless the host
// is this machine (the tests and the simulator).

// checkBaseURL accepts an absolute https URL, or http on a loopback host.
func checkBaseURL(base *url.URL) error {
	switch {
	case base.Host == "" || (base.Scheme != "http" && base.Scheme != "https"):
		return errors.New("vpsie: the base URL must be an absolute https URL")
	case base.User != nil:
		return errors.New("vpsie: the base URL must not carry credentials")
	case base.Scheme == "http" && !isLoopback(base.Hostname()):
		return fmt.Errorf("vpsie: the base URL %s://%s is plain http, which would send the token in clear text; "+
			"use https (plain http is allowed only on loopback: localhost, 127.0.0.0/8, ::1)", base.Scheme, base.Host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noRedirects returns a copy of hc that never follows a redirect: Go's
// client would resend the Vpsie-Auth header to the same host, and to a
// redirect target an answer may name. The 3xx answer comes back instead,
// and redirectError turns it into an error.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// redirectError refuses a 3xx answer: nil for any other status. Not
// retried, since the same request gets the same redirect; the base URL is
// probably wrong (http for https, an old host).
func redirectError(op string, status int, header http.Header) error {
	if status < 300 || status > 399 {
		return nil
	}
	where := "elsewhere"
	if loc, err := url.Parse(header.Get("Location")); err == nil && loc.Host != "" {
		where = "to host " + loc.Host
	}
	return &cloud.Error{Kind: cloud.ErrInvalid, Op: op, Code: status,
		Message: fmt.Sprintf("the API redirected %s (HTTP %d); redirects are not followed, so the token never leaves the configured host: check the base URL", where, status)}
}
