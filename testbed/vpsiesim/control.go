package vpsiesim

import (
	"encoding/json"
	"io"
	"net/http"
)

// control wraps a control endpoint: any account's token may drive the
// simulator, and answers use the same envelope as the API.
func (s *Sim) control(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.authenticate(r)
		if !ok {
			write(w, fail(http.StatusUnauthorized, "Unauthorized: missing or invalid Vpsie-Auth token"), injection{})
			return
		}
		write(w, h(r, a), injection{})
	}
}

func (s *Sim) getFaults(*http.Request, *account) result { return result{data: s.Faults()} }

// putFaults replaces the faults in effect with the JSON body (a Faults).
func (s *Sim) putFaults(r *http.Request, _ *account) result {
	var f Faults
	if err := decodeStrict(r, &f); err != nil {
		return fail(http.StatusBadRequest, "invalid faults: "+err.Error())
	}
	if err := s.SetFaults(f); err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	return result{data: s.Faults()}
}

func (s *Sim) deleteFaults(*http.Request, *account) result {
	s.ResetFaults()
	return result{data: s.Faults()}
}

// putQuota changes the calling account's maxima given in the body
// ({maxVms, maxCpu, maxRamMb}, each optional).
func (s *Sim) putQuota(r *http.Request, a *account) result {
	var body struct {
		MaxVMs   *int `json:"maxVms"`
		MaxCPU   *int `json:"maxCpu"`
		MaxRAMMB *int `json:"maxRamMb"`
	}
	if err := decodeStrict(r, &body); err != nil {
		return fail(http.StatusBadRequest, "a quota is {maxVms, maxCpu, maxRamMb}: "+err.Error())
	}
	s.mu.Lock()
	q := a.quota
	s.mu.Unlock()
	setIf(&q.MaxVMs, body.MaxVMs)
	setIf(&q.MaxCPU, body.MaxCPU)
	setIf(&q.MaxRAMMB, body.MaxRAMMB)
	if q.MaxVMs < 0 || q.MaxCPU < 0 || q.MaxRAMMB < 0 {
		return fail(http.StatusBadRequest, "a quota cannot be negative")
	}
	if err := s.SetQuota(a.token, q); err != nil {
		return fail(http.StatusInternalServerError, err.Error())
	}
	return s.quota(r, a)
}

func setIf(to, from *int) {
	if from != nil {
		*to = *from
	}
}

func (s *Sim) getStats(*http.Request, *account) result { return result{data: s.Stats()} }

// decodeStrict refuses unknown fields, so a typo in a fault is an error
// rather than a fault silently not injected.
func decodeStrict(r *http.Request, v any) error {
	d := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
