package vpsie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// maxBody bounds what one answer may make us buffer.
const maxBody = 8 << 20

// request is one API call, before the token and the host are added.
type request struct {
	op     string // the Provider method, for errors and logs
	method string
	path   string
	query  url.Values
	json   any        // sent as a JSON body when not nil
	form   url.Values // sent form-encoded when not nil
}

// ignored is data a caller does not read, whatever its shape.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

// do sends r with retries and returns its decoded data. Each attempt decodes
// into a fresh T, so a failed attempt leaves nothing half-filled behind.
func do[T any](ctx context.Context, c *Client, r request) (T, error) {
	var out T
	err := c.retry(ctx, func(ctx context.Context) error {
		var fresh T
		if err := c.send(ctx, r, &fresh); err != nil {
			return err
		}
		out = fresh
		return nil
	})
	return out, err
}

// send makes one attempt: rate limit, then one HTTP exchange under the
// attempt timeout. out may be nil when the data does not matter.
func (c *Client) send(ctx context.Context, r request, out any) error {
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("vpsie: %s: %w", r.op, ctx.Err())
		}
		return &cloud.Error{Kind: cloud.ErrRateLimited, Op: r.op, Message: "the client-side rate limit would outlast the deadline"}
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.AttemptTimeout)
	defer cancel()
	req, err := c.newRequest(actx, r)
	if err != nil {
		return &cloud.Error{Kind: cloud.ErrInvalid, Op: r.op, Message: err.Error()}
	}
	start := time.Now()
	c.stats.attempts.Add(1)
	status, header, body, err := c.exchange(req)
	if err == nil {
		if err = redirectError(r.op, status, header); err == nil {
			err = decode(r.op, status, header, body, time.Now(), out)
		}
	} else {
		err = c.transportError(ctx, r.op, err)
	}
	err = c.redact(err)
	c.log.LogAttrs(ctx, slog.LevelDebug, "vpsie call", slog.String("op", r.op), slog.String("method", r.method),
		slog.String("path", r.path), slog.Int("status", status), slog.Duration("took", time.Since(start)),
		slog.Any("error", err))
	return err
}

func (c *Client) exchange(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, resp.Header, body, err
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	u := c.base.JoinPath(r.path)
	u.RawQuery = r.query.Encode()
	var body io.Reader
	contentType := ""
	switch {
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.form != nil:
		body, contentType = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Vpsie-Auth", c.opts.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// transportError classifies a request that got no (whole) answer: the
// caller's context ending is final; anything else (the attempt timing out,
// a refused or reset connection) may pass, and may have taken effect.
func (c *Client) transportError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("vpsie: %s: %w", op, ctx.Err())
	}
	msg := "no answer: " + err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("no answer within %s", c.opts.AttemptTimeout)
	}
	return &cloud.Error{Kind: cloud.ErrTransient, Op: op, Message: msg}
}

// redact keeps the token out of an error, even if the server echoed it.
func (c *Client) redact(err error) error {
	var e *cloud.Error
	if errors.As(err, &e) && strings.Contains(e.Message, c.opts.Token) {
		e.Message = strings.ReplaceAll(e.Message, c.opts.Token, "[redacted]")
	}
	return err
}
