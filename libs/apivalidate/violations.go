// Package apivalidate checks the request messages of the rebalancer.v1 API
// before any handler runs. The buf Schema Registry (and so protovalidate's
// annotations) is out of reach, so the rules are written here in Go, one
// function per message, and reported as field violations.
package apivalidate

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error lists every field a request got wrong. It carries its own gRPC
// status, InvalidArgument with an errdetails.BadRequest, so callers (and
// grpcurl users) see each field by its path.
type Error struct {
	Violations []*errdetails.BadRequest_FieldViolation
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.GetField() + ": " + v.GetDescription()
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// GRPCStatus makes status.FromError (and so gRPC) see InvalidArgument.
func (e *Error) GRPCStatus() *status.Status {
	st := status.New(codes.InvalidArgument, e.Error())
	detailed, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: e.Violations})
	if err != nil {
		return st
	}
	return detailed
}

// violations collects problems under a field path.
type violations struct {
	list []*errdetails.BadRequest_FieldViolation
}

func (v *violations) add(field, format string, args ...any) {
	v.list = append(v.list, &errdetails.BadRequest_FieldViolation{
		Field:       field,
		Description: fmt.Sprintf(format, args...),
	})
}

func (v *violations) err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &Error{Violations: v.list}
}

// path joins a parent path and a child field, "" parent meaning the root.
func path(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

// index is the path of element i of a repeated field.
func index(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
