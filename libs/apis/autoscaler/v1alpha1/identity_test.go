package v1alpha1_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

func TestVMIdentifierReadsOnlyVPSieProviderIDs(t *testing.T) {
	t.Parallel()
	for providerID, want := range map[string]string{
		v1alpha1.ProviderID("0b9e-42"): "0b9e-42",
		"vpsie://":                     "",
		"aws:///eu-west-1a/i-0abc":     "",
		"":                             "",
	} {
		got, ok := v1alpha1.VMIdentifier(providerID)
		require.Equal(t, want != "", ok, providerID)
		require.Equal(t, want, got, providerID)
	}
}
