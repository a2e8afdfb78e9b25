package crdtest_test

import (
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The schema, its defaults and its validation live in the CRD and are
// enforced by the API server only, so they are tested against a sandbox.
func TestMain(m *testing.M) { sandboxtest.Main(m) }
