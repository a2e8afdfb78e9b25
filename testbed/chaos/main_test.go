package chaos_test

import (
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// One sandbox for the package; the campaign builds its binaries into it.
func TestMain(m *testing.M) { sandboxtest.Main(m) }
