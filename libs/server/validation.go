package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func (c *chain) unaryValidation(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := c.check(req); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (c *chain) streamValidation(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &validatingStream{ServerStream: ss, chain: c})
}

// validatingStream checks each message the client sends, so a server
// stream's single request is refused before the handler uses it.
type validatingStream struct {
	grpc.ServerStream
	chain *chain
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return s.chain.check(m)
}

// check runs the validator; an error that does not carry its own gRPC status
// is still InvalidArgument, never Unknown.
func (c *chain) check(req any) error {
	if c.validate == nil {
		return nil
	}
	err := c.validate(req)
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.InvalidArgument, err.Error())
}
