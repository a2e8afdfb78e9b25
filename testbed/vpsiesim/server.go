package vpsiesim

import "net/http/httptest"

// Server is a Sim listening on a loopback port, for tests.
type Server struct {
	*Sim
	// URL is the base URL to give the client, for example http://127.0.0.1:40123.
	URL  string
	http *httptest.Server
}

// NewServer starts a Sim on a loopback port. Close it when done
// (t.Cleanup(srv.Close)).
func NewServer(opts Options) (*Server, error) {
	sim, err := New(opts)
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(sim)
	return &Server{Sim: sim, URL: hs.URL, http: hs}, nil
}

// Close stops serving, then stops the simulator.
func (s *Server) Close() {
	s.http.Close()
	s.Sim.Close()
}
