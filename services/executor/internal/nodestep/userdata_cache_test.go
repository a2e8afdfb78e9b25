package nodestep

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// The lanes share a read of the user-data template for templateMaxAge; a
// token rotated in the Secret is used from then on.
func TestTheUserDataTemplateIsReadAgainOnceItAged(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ref := &v1alpha1.UserDataTemplate{SecretName: "boot"}
	reads := func() int {
		n := 0
		for _, a := range u.kube.Actions() {
			if a.GetVerb() == "get" && a.GetResource().Resource == "secrets" {
				n++
			}
		}
		return n
	}
	for range 3 {
		text, err := u.r.userDataTemplate(t.Context(), "shop", ref)
		require.NoError(t, err)
		require.Equal(t, testTemplate, text)
	}
	require.Equal(t, 1, reads(), "one read serves the lanes")

	_, err := u.kube.CoreV1().Secrets("shop").Update(t.Context(), bootstrapSecret("rotated"), metav1.UpdateOptions{})
	require.NoError(t, err)
	u.clock.Step(templateMaxAge + time.Millisecond)
	text, err := u.r.userDataTemplate(t.Context(), "shop", ref)
	require.NoError(t, err)
	require.Equal(t, "rotated", text)
	require.Equal(t, 2, reads())
}
