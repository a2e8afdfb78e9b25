package cloud_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func TestErrorKindsMatchTheirHelpers(t *testing.T) {
	t.Parallel()
	helpers := map[error]func(error) bool{
		cloud.ErrNotFound:            cloud.IsNotFound,
		cloud.ErrRateLimited:         cloud.IsRateLimited,
		cloud.ErrQuotaExceeded:       cloud.IsQuotaExceeded,
		cloud.ErrOfferingUnavailable: cloud.IsOfferingUnavailable,
		cloud.ErrUnauthorized:        cloud.IsUnauthorized,
		cloud.ErrTransient:           cloud.IsTransient,
		cloud.ErrInvalid:             cloud.IsInvalid,
	}
	for kind, is := range helpers {
		t.Run(kind.Error(), func(t *testing.T) {
			t.Parallel()
			err := fmt.Errorf("wrapped: %w", cloud.NewError(kind, "GetVM", "vm %s", "x"))
			for other, otherIs := range helpers {
				require.Equal(t, errors.Is(other, kind), otherIs(err), "%v against %v", kind, other)
			}
			require.Equal(t, is(err), true)
			retryable := errors.Is(kind, cloud.ErrRateLimited) || errors.Is(kind, cloud.ErrTransient)
			require.Equal(t, retryable, cloud.IsRetryable(err))
		})
	}
}

func TestErrorMessageNamesOpKindMessageAndCode(t *testing.T) {
	t.Parallel()
	err := &cloud.Error{Kind: cloud.ErrQuotaExceeded, Op: "CreateVM", Message: "10 of 10 VMs", Code: 403}
	require.Equal(t, "cloud: CreateVM: quota exceeded: 10 of 10 VMs (code 403)", err.Error())
}

func TestRetryAfterIsFoundThroughWrapping(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("create: %w", &cloud.Error{Kind: cloud.ErrRateLimited, RetryAfter: 3 * time.Second})
	d, ok := cloud.RetryAfter(err)
	require.True(t, ok)
	require.Equal(t, 3*time.Second, d)
	_, ok = cloud.RetryAfter(cloud.NewError(cloud.ErrTransient, "", "no hint"))
	require.False(t, ok)
}
