package deploytest

import (
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }
