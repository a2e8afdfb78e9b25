package api

import (
	"context"

	"github.com/vpsie/node-rebalancer/libs/identity"
)

// caller names who makes the call for the record (requested_by,
// approved_by): the identity the server authenticated, never a name the
// request carries, so nobody requests or approves under another's name.
// A call that reached no authentication (a test calling the handler
// directly) is anonymous, as under --auth=none.
func caller(ctx context.Context) string {
	if id, ok := identity.FromContext(ctx); ok {
		return id.User
	}
	return identity.Anonymous.User
}
