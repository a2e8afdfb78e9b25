package api

import (
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// Errors is the one table of the engine's typed errors. A refused plan
// needs no rule: its error carries InvalidArgument with the field
// violations. Anything else (the cluster, the cloud or NATS failing in a
// way the engine did not type) is Internal, logged with the method by
// the interceptor chain, its detail not returned.
var Errors = server.ErrorTable{
	{Match: engine.IsNotFound, Status: answer(codes.NotFound, "no such execution")},
	// The caller asked for a transition the status does not allow; the
	// message names the status so the caller knows why.
	server.Typed(func(e *engine.StateError) *status.Status { return status.New(codes.FailedPrecondition, e.Error()) }),
	{Match: is(engine.ErrBusy), Status: answer(codes.Aborted, engine.ErrBusy.Error())},
	{Match: is(engine.ErrBadPageToken), Status: answer(codes.InvalidArgument, "page_token: not a token from a previous response")},
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func answer(code codes.Code, message string) func(error) *status.Status {
	return func(error) *status.Status { return status.New(code, message) }
}
