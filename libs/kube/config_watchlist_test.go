package kube

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInformersListThenWatchUnlessTheOperatorSaysOtherwise(t *testing.T) {
	t.Setenv(watchListGate, "")
	require.NoError(t, os.Unsetenv(watchListGate))
	listThenWatch()
	require.Equal(t, "false", os.Getenv(watchListGate))

	t.Setenv(watchListGate, "true")
	listThenWatch()
	require.Equal(t, "true", os.Getenv(watchListGate), "the operator's setting wins")
}
