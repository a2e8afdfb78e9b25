package dashboard

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Executor is what the dashboard asks of the Executor: the three reads of
// rebalancerv1.ExecutorServiceClient, nothing that changes an execution.
type Executor interface {
	ListExecutions(ctx context.Context, in *rebalancerv1.ListExecutionsRequest, opts ...grpc.CallOption) (*rebalancerv1.ListExecutionsResponse, error)
	GetExecution(ctx context.Context, in *rebalancerv1.GetExecutionRequest, opts ...grpc.CallOption) (*rebalancerv1.GetExecutionResponse, error)
	WatchExecution(ctx context.Context, in *rebalancerv1.WatchExecutionRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[rebalancerv1.WatchExecutionResponse], error)
}

// Options tune the server; the zero value is usable.
type Options struct {
	// CallTimeout bounds each unary call (List, Get); default 30 s. The
	// watch streams are not bounded: an execution takes what it takes.
	CallTimeout time.Duration
	// Logger receives failed calls; default discards.
	Logger *slog.Logger
}

// Server is the dashboard's HTTP handler.
type Server struct {
	exec   Executor
	opts   Options
	mux    *http.ServeMux
	assets fs.FS
}

// New serves the dashboard of the executions exec answers for.
func New(exec Executor, opts Options) *Server {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{exec: exec, opts: opts, mux: http.NewServeMux(), assets: assetFS()}
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.Handle("GET /assets/", http.FileServerFS(s.assets))
	s.mux.HandleFunc("GET /api/executions", s.listExecutions)
	s.mux.HandleFunc("GET /api/executions/{id}/events", s.watchExecution)
	return s
}

// ServeHTTP adds the headers every answer carries: the page loads only
// its own script and style, and nothing may frame it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	http.ServeFileFS(w, r, s.assets, "assets/index.html")
}

func (s *Server) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.CallTimeout)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to tell it
}
