package api

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// Errors is the one table of the engine's typed errors. A malformed plan
// needs no rule: its error carries InvalidArgument with the field
// violations. A plan that may not run, or may not go on (approve,
// resume), is FailedPrecondition with a PreconditionFailure: the rule
// first, then each particular (a safety check that did not pass, a field
// the plan loosens with both values, a node that changed, the execution
// holding the group, when the schedule next allows a start). Anything
// else (the cluster, the cloud or NATS failing in a way the engine did
// not type) is Internal, logged with the method by the interceptor chain,
// its detail not returned.
var Errors = server.ErrorTable{
	server.Typed(refusalStatus),
	{Match: engine.IsNotFound, Status: answer(codes.NotFound, "no such execution")},
	// The caller asked for a transition the status does not allow; the
	// message names the status so the caller knows why.
	server.Typed(func(e *engine.StateError) *status.Status { return status.New(codes.FailedPrecondition, e.Error()) }),
	{Match: is(engine.ErrBusy), Status: answer(codes.Aborted, engine.ErrBusy.Error())},
	{Match: is(engine.ErrBadPageToken), Status: answer(codes.InvalidArgument, "page_token: not a token from a previous response")},
}

// refusalStatus answers a refusal: its message is written for callers
// (the group, the values and times involved), so it is passed on.
func refusalStatus(r *accept.Refusal) *status.Status {
	st := status.New(codes.FailedPrecondition, "refused by rule "+r.Error())
	violations := []*errdetails.PreconditionFailure_Violation{{Type: "RULE", Subject: string(r.Rule), Description: r.Reason}}
	for _, d := range r.Details {
		violations = append(violations, &errdetails.PreconditionFailure_Violation{Type: d.Kind, Subject: d.Subject, Description: d.Description})
	}
	detailed, err := st.WithDetails(&errdetails.PreconditionFailure{Violations: violations})
	if err != nil {
		return st
	}
	return detailed
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func answer(code codes.Code, message string) func(error) *status.Status {
	return func(error) *status.Status { return status.New(code, message) }
}
