package vpsie

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// decode reads one whole answer. It fills out (when not nil) and returns
// nil on success, and returns a *cloud.Error for everything else, whatever
// the bytes: the body is read even on HTTP 200, because VPSie sends some
// errors as `200 {"error": true, …}`.
func decode(op string, status int, header http.Header, body []byte, now time.Time, out any) error {
	var env envelope
	parsed := json.Unmarshal(body, &env) == nil
	if status < 200 || status > 299 || (parsed && bool(env.Error)) {
		return answerError(op, status, header, env, parsed, now)
	}
	if !parsed {
		if bytes.Equal(bytes.TrimSpace(body), []byte("true")) {
			return nil // a bare `true` is how some VPSie actions say "done"
		}
		return &cloud.Error{Kind: cloud.ErrTransient, Op: op, Code: status, Message: "the answer is not a JSON envelope"}
	}
	if t, ok := out.(totalReader); ok {
		t.setTotal(int(env.Total))
	}
	if out == nil || len(env.Data) == 0 {
		return nil // nothing asked for, or nothing sent
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return &cloud.Error{Kind: cloud.ErrTransient, Op: op, Code: status, Message: "unreadable data: " + err.Error()}
	}
	return nil
}

// answerError turns a failed answer into a *cloud.Error.
func answerError(op string, status int, header http.Header, env envelope, parsed bool, now time.Time) *cloud.Error {
	code := status
	if status >= 200 && status <= 299 {
		code = int(env.Code) // an error sent with 200: only the envelope says what it is
	}
	msg := string(env.Message)
	if !parsed || msg == "" {
		msg = http.StatusText(status)
	}
	e := &cloud.Error{Kind: kindOf(code, msg), Op: op, Code: code, Message: msg}
	if cloud.IsRetryable(e) {
		e.RetryAfter = retryAfter(header, now)
	}
	return e
}

// totalReader is data that also wants the envelope's total (a page of a list).
type totalReader interface{ setTotal(int) }
