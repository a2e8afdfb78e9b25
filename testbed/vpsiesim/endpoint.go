package vpsiesim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// result is what a handler answers: data, or an error envelope.
type result struct {
	data  any
	total int // sent as "total" when positive (list answers)
	err   *apiError
}

// apiError is an error envelope and the HTTP status it would go out with.
type apiError struct {
	status  int
	message string
}

func fail(status int, message string) result { return result{err: &apiError{status, message}} }

// handler serves one endpoint for an authenticated account.
type handler func(r *http.Request, a *account) result

// endpoint wraps h with what every VPSie endpoint does: count the call,
// authenticate, throttle, then inject the faults in effect.
func (s *Sim) endpoint(name string, mutating bool, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(name)
		a, ok := s.authenticate(r)
		if !ok {
			write(w, fail(http.StatusUnauthorized, "Unauthorized: missing or invalid Vpsie-Auth token"), injection{})
			return
		}
		if !a.limiter.Allow() {
			write(w, fail(http.StatusTooManyRequests, "Too many requests"), injection{retryAfter: 1})
			return
		}
		in := s.decide(name, mutating)
		var res result
		if in.status == 0 || in.afterEffect {
			res = h(r, a)
		}
		if in.status != 0 {
			res = fail(in.status, injectedMessage(in.status))
		}
		pause(r.Context(), in.latency)
		write(w, res, in)
	}
}

func injectedMessage(status int) string {
	if status == http.StatusTooManyRequests {
		return "Too many requests, slow down"
	}
	return "Internal error, please try again (injected)"
}

// write sends the envelope: {error:false, data, total?} or
// {error:true, code, message}, with the error's status unless the faults
// say errors go out as HTTP 200.
func write(w http.ResponseWriter, res result, in injection) {
	w.Header().Set("Content-Type", "application/json")
	if res.err == nil {
		body := map[string]any{"error": false, "data": res.data}
		if res.total > 0 {
			body["total"] = res.total
		}
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	status := res.err.status
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && in.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(in.retryAfter))
	}
	if in.as200 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": true, "code": res.err.status, "message": res.err.message})
}
