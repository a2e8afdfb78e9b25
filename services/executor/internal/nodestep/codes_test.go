package nodestep

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func TestEvictionAnswersMapToDecisions(t *testing.T) {
	t.Parallel()
	pods := schema.GroupResource{Resource: "pods"}
	for name, c := range map[string]struct {
		err  error
		want evictDecision
	}{
		"201 admitted":              {nil, evictAdmitted},
		"404 gone":                  {apierrors.NewNotFound(pods, "p"), evictGone},
		"409 UID changed":           {apierrors.NewConflict(pods, "p", errors.New("uid")), evictGone},
		"429 PDB":                   {apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10), evictBlocked},
		"403 namespace terminating": {apierrors.NewForbidden(pods, "p", errors.New("namespace shop is being terminated")), evictGone},
		"500 several PDBs":          {apierrors.NewInternalError(errors.New("This pod has more than one PodDisruptionBudget")), evictBlocked},
		"503 transient":             {apierrors.NewServiceUnavailable("busy"), evictRetry},
	} {
		require.Equal(t, c.want, decideEviction(c.err), name)
	}
}

func TestCloudAnswersMapToDecisions(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		err  error
		want cloudDecision
	}{
		"created":     {nil, cloudDone},
		"quota":       {cloud.NewError(cloud.ErrQuotaExceeded, "CreateVM", ""), cloudNextOffering},
		"unavailable": {cloud.NewError(cloud.ErrOfferingUnavailable, "CreateVM", ""), cloudNextOffering},
		"not found":   {cloud.NewError(cloud.ErrNotFound, "GetOffering", ""), cloudNextOffering},
		"rate limit":  {cloud.NewError(cloud.ErrRateLimited, "CreateVM", ""), cloudRetry},
		"5xx":         {cloud.NewError(cloud.ErrTransient, "CreateVM", ""), cloudRetry},
		"token":       {cloud.NewError(cloud.ErrUnauthorized, "CreateVM", ""), cloudGiveUp},
		"invalid":     {cloud.NewError(cloud.ErrInvalid, "CreateVM", ""), cloudGiveUp},
		"shutdown":    {context.Canceled, cloudGiveUp},
	} {
		require.Equal(t, c.want, decideCloud(c.err), name)
	}
}
