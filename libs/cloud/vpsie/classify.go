package vpsie

import (
	"strings"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// kindOf decides what a failed answer means, from the HTTP status (or, for
// errors sent with HTTP 200, the envelope's code, which mirrors HTTP
// statuses) and the message. VPSie documents neither its codes nor its
// messages; this table follows what its SDK and tools show and what the
// simulator sends, and it is the one place to change when VPSie disagrees.
func kindOf(code int, message string) error {
	switch {
	case code == 429:
		return cloud.ErrRateLimited // throttled before any effect: safe to resend
	case code == 408 || code >= 500:
		return cloud.ErrTransient // may have taken effect: creates look up first
	case code == 401:
		return cloud.ErrUnauthorized // a wrong token stays wrong
	case code == 404 || code == 410:
		return cloud.ErrNotFound // deletes treat it as done
	}
	// Quota and availability come with generic codes (400, 403, 422 or none),
	// so only the words tell them apart.
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "quota"):
		return cloud.ErrQuotaExceeded
	case strings.Contains(m, "not available") || strings.Contains(m, "unavailable"):
		return cloud.ErrOfferingUnavailable
	case strings.Contains(m, "not found") || strings.Contains(m, "does not exist"):
		return cloud.ErrNotFound
	case code == 403:
		return cloud.ErrUnauthorized // a token without the permission
	case code >= 400:
		return cloud.ErrInvalid // the request is wrong; resending it will not help
	}
	// An error with no usable code: it may pass, and retries are bounded.
	return cloud.ErrTransient
}
