package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/identity"
)

// guard is the chain's authentication, authorization and per-caller stream
// cap. Health checking and reflection stay open to anyone, so probes and
// `grpcurl list` need no credentials; every other call is authenticated,
// carries its caller in its context (identity.FromContext) and is
// authorized by its service's AccessTable. With --auth=none every caller
// is identity.Anonymous and nothing is authorized.
type guard struct {
	anonymous bool
	authn     *authenticator
	authz     *authorizer
	streams   *streamCap
}

// openServices need no credentials.
var openServices = map[string]bool{
	healthpb.Health_ServiceDesc.ServiceName:    true,
	"grpc.reflection.v1.ServerReflection":      true,
	"grpc.reflection.v1alpha.ServerReflection": true,
}

func (g *guard) caller(ctx context.Context) (identity.Identity, error) {
	if g.anonymous {
		return identity.Anonymous, nil
	}
	return g.authn.authenticate(ctx)
}

func (g *guard) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if service, _ := splitMethod(info.FullMethod); openServices[service] {
		return handler(ctx, req)
	}
	id, err := g.caller(ctx)
	if err != nil {
		return nil, err
	}
	ctx = identity.NewContext(ctx, id)
	if !g.anonymous {
		if err := g.authz.authorize(ctx, id, info.FullMethod, req); err != nil {
			return nil, err
		}
	}
	return handler(ctx, req)
}

func (g *guard) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if service, _ := splitMethod(info.FullMethod); openServices[service] {
		return handler(srv, ss)
	}
	id, err := g.caller(ss.Context())
	if err != nil {
		return err
	}
	release, err := g.streams.acquire(id, info.FullMethod)
	if err != nil {
		return err
	}
	defer release()
	s := &guardedStream{ServerStream: ss, ctx: identity.NewContext(ss.Context(), id), guard: g,
		id: id, method: info.FullMethod, authorized: g.anonymous}
	return handler(srv, s)
}

// guardedStream authorizes a stream by its first request: the handler's
// RecvMsg returns the refusal, and nothing is sent before it passed.
type guardedStream struct {
	grpc.ServerStream
	ctx    context.Context
	guard  *guard
	id     identity.Identity
	method string

	mu         sync.Mutex
	authorized bool
	refused    error
}

func (s *guardedStream) Context() context.Context { return s.ctx }

func (s *guardedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authorized {
		return nil
	}
	if s.refused != nil {
		return s.refused
	}
	if err := s.guard.authz.authorize(s.ctx, s.id, s.method, m); err != nil {
		s.refused = err
		return err
	}
	s.authorized = true
	return nil
}

func (s *guardedStream) SendMsg(m any) error {
	s.mu.Lock()
	ok := s.authorized
	s.mu.Unlock()
	if !ok {
		return status.Errorf(codes.PermissionDenied, "%s: nothing is sent before the request is authorized", s.method)
	}
	return s.ServerStream.SendMsg(m)
}

// Authorize installs the access rules of service (its full name, e.g.
// rebalancer.v1.ExecutorService). Call it before Run.
func (s *Server) Authorize(service string, table AccessTable) { s.guard.authz.set(service, table) }

// UseKubernetesAuth gives the server the client its TokenReviews and
// SubjectAccessReviews go through. With --auth=kubernetes a service must
// call it in its Setup.
func (s *Server) UseKubernetesAuth(r Reviewer) {
	s.guard.authn.reviews = r
	s.guard.authz.reviews = r
}

// AuthRequired reports whether calls are authenticated and authorized
// (--auth=kubernetes), so a service knows it must call UseKubernetesAuth.
func (s *Server) AuthRequired() bool { return !s.guard.anonymous }

// checkAuthReady refuses to serve with auth on but no Kubernetes client, or
// a service method without an access rule: a call would otherwise be
// refused (or worse) only when it comes.
func (s *Server) checkAuthReady() error {
	if s.guard.anonymous {
		return nil
	}
	if s.guard.authn.reviews == nil {
		return errors.New("--auth=kubernetes: the service has no Kubernetes client to review tokens and calls with")
	}
	services := map[string][]string{}
	for name, info := range s.grpc.GetServiceInfo() {
		if openServices[name] {
			continue
		}
		for _, m := range info.Methods {
			services[name] = append(services[name], m.Name)
		}
	}
	if missing := s.guard.authz.missing(services); len(missing) > 0 {
		return fmt.Errorf("--auth=kubernetes: no access rule for %s", strings.Join(missing, ", "))
	}
	return nil
}

// newGuard builds the guard of a checked configuration; the Kubernetes
// client comes later (UseKubernetesAuth).
func newGuard(cfg Config, logger *slog.Logger) *guard {
	ttl, size := cfg.AuthCacheTTL, cfg.AuthCacheSize
	if ttl == 0 {
		ttl = DefaultAuthCacheTTL
	}
	if size == 0 {
		size = DefaultAuthCacheSize
	}
	return &guard{
		anonymous: cfg.authMode() == AuthNone,
		authn:     newAuthenticator(nil, logger, ttl, size),
		authz:     newAuthorizer(nil, logger, ttl, size),
		streams:   &streamCap{limit: cfg.Limits.withDefaults().MaxStreamsPerCaller},
	}
}
