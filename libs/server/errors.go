package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorRule maps one kind of a service's typed errors to what its caller
// sees. Messages of typed errors are written for callers (they name the
// group, node or execution), so a rule may pass them on.
type ErrorRule struct {
	// Match reports whether err is of the rule's kind.
	Match func(err error) bool
	// Status is the answer for an error Match accepted.
	Status func(err error) *status.Status
}

// ErrorTable is a service's typed errors, first match wins: the one place
// they become gRPC codes.
type ErrorTable []ErrorRule

// Registrar is what a service's API registers on: its gRPC service, the
// table of its typed errors and the access rules of its methods. *Server
// is one.
type Registrar interface {
	grpc.ServiceRegistrar
	// MapErrors installs the error table of service (its full name,
	// e.g. rebalancer.v1.PlannerService).
	MapErrors(service string, table ErrorTable)
	// Authorize installs the access rules of service's methods.
	Authorize(service string, table AccessTable)
}

// RegisterService implements grpc.ServiceRegistrar.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any) {
	s.grpc.RegisterService(desc, impl)
}

// MapErrors implements Registrar. Call it before Run.
func (s *Server) MapErrors(service string, table ErrorTable) { s.chain.errors.set(service, table) }

// errorMapper turns what a handler returned into a status, in this order:
// the service's own table; an error that already carries a status
// (validation, a handler's deliberate answer); a cancelled or expired
// context; anything else is Internal, logged with the method, its cause
// never returned to the caller.
type errorMapper struct {
	logger *slog.Logger
	mu     sync.RWMutex
	tables map[string]ErrorTable
}

func (m *errorMapper) set(service string, table ErrorTable) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tables == nil {
		m.tables = map[string]ErrorTable{}
	}
	m.tables[service] = table
}

func (m *errorMapper) table(fullMethod string) ErrorTable {
	service, _, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.tables[service]
}

func (m *errorMapper) toStatus(ctx context.Context, fullMethod string, err error) error {
	mapped, unexpected := m.table(fullMethod).mapError(err)
	if unexpected {
		m.logger.ErrorContext(ctx, "unexpected error", "grpc.method", fullMethod, "error", err)
	}
	return mapped
}

// Map is the error a caller sees for err, as the interceptor chain maps
// it (without the logging): for tests of a service's table.
func (t ErrorTable) Map(err error) error {
	mapped, _ := t.mapError(err)
	return mapped
}

// mapError applies the table, then the rules every service shares;
// unexpected is true for an error no rule knew, answered Internal.
func (t ErrorTable) mapError(err error) (mapped error, unexpected bool) {
	if err == nil {
		return nil, false
	}
	for _, rule := range t {
		if rule.Match(err) {
			return rule.Status(err).Err(), false
		}
	}
	if _, ok := status.FromError(err); ok {
		return err, false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err(), false
	}
	return status.Error(codes.Internal, "internal error"), true
}

func (m *errorMapper) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	return resp, m.toStatus(ctx, info.FullMethod, err)
}

func (m *errorMapper) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return m.toStatus(ss.Context(), info.FullMethod, handler(srv, ss))
}

// Typed is the rule for every error wrapping an E: answer builds the
// status from the E found.
func Typed[E error](answer func(e E) *status.Status) ErrorRule {
	return ErrorRule{
		Match: func(err error) bool {
			var e E
			return errors.As(err, &e)
		},
		Status: func(err error) *status.Status {
			var e E
			errors.As(err, &e)
			return answer(e)
		},
	}
}
