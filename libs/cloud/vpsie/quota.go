package vpsie

import (
	"context"
	"net/http"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Quota implements cloud.QuotaReader.
func (c *Client) Quota(ctx context.Context) (cloud.Quota, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	q, err := do[quotaData](ctx, c, request{op: "Quota", method: http.MethodGet, path: "/api/v2/account/quota"})
	return q.toQuota(), err
}
