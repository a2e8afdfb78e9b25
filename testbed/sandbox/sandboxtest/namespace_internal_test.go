package sandboxtest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNamePrefix(t *testing.T) {
	t.Parallel()
	for testName, want := range map[string]string{
		"TestEviction":                          "eviction-",
		"TestNodeGroupValidation/a_case":        "nodegroupvalidation-",
		"TestX/With Spaces & Symbols":           "x-with-spaces-symbol-",
		"Test":                                  "test-",
		"TestAVeryLongNameThatGoesOnAndOnAndOn": "averylongnamethatgoe-",
	} {
		require.Equal(t, want, namePrefix(testName), testName)
	}
}
