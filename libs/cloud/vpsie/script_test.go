package vpsie_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// answer is one scripted HTTP answer.
type answer struct {
	status int
	header http.Header
	body   string
}

// scripted serves its answers in order, repeating the last one, and
// records the requests it saw.
type scripted struct {
	mu       sync.Mutex
	answers  []answer
	requests []*http.Request
}

func serveScript(t *testing.T, answers ...answer) (*scripted, string) {
	t.Helper()
	s := &scripted{answers: answers}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.answers[min(len(s.requests), len(s.answers)-1)]
	s.requests = append(s.requests, r)
	s.mu.Unlock()
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *scripted) request(i int) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[i]
}

const (
	okQuota   = `{"error":false,"data":{"maxVms":"5","usedVms":"1","maxCpu":"40","usedCpu":"2","maxRamMb":"65536","usedRamMb":"4096"}}`
	fail500   = `{"error":true,"code":500,"message":"Internal error"}`
	fail429   = `{"error":true,"code":429,"message":"Too many requests"}`
	failToken = `{"error":true,"code":401,"message":"Invalid token"}`
)

func serveHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
