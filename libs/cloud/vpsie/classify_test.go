package vpsie

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		code    int
		message string
		want    error
	}{
		"429 is rate limiting":                         {429, "Too many requests", cloud.ErrRateLimited},
		"503 is transient even if it says unavailable": {503, "Service Unavailable", cloud.ErrTransient},
		"500 is transient":                             {500, "Internal error", cloud.ErrTransient},
		"408 is transient":                             {408, "Request Timeout", cloud.ErrTransient},
		"401 is unauthorized":                          {401, "Invalid token", cloud.ErrUnauthorized},
		"403 without words is unauthorized":            {403, "Forbidden", cloud.ErrUnauthorized},
		"403 about quota is quota":                     {403, "VM Quota exceeded", cloud.ErrQuotaExceeded},
		"400 about availability is unavailable":        {400, "resource is not available here", cloud.ErrOfferingUnavailable},
		"404 is not found":                             {404, "VM not found", cloud.ErrNotFound},
		"410 is not found":                             {410, "gone", cloud.ErrNotFound},
		"no code but not found words":                  {0, "VM does not exist", cloud.ErrNotFound},
		"400 otherwise is invalid":                     {400, "hostname is required", cloud.ErrInvalid},
		"422 is invalid":                               {422, "bad tags", cloud.ErrInvalid},
		"no code and no known words is transient":      {0, "oops", cloud.ErrTransient},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, kindOf(tc.code, tc.message))
		})
	}
}
