package testobj_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

func TestClusterIDIsTheOneTheFakeCloudDerives(t *testing.T) {
	require.Equal(t, catalog.ID("cluster", testobj.ClusterName), testobj.ClusterID)
}
