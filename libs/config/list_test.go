package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringsRepeatsAndFallsBackToACommaList(t *testing.T) {
	t.Parallel()
	parse := func(env map[string]string, args ...string) []string {
		f := New("executor", "EXECUTOR")
		f.lookup = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		var got []string
		f.Strings(&got, "plan-public-key-file", "keys")
		require.NoError(t, f.Parse(args))
		return got
	}
	require.Nil(t, parse(nil))
	require.Equal(t, []string{"a", "b"}, parse(nil, "--plan-public-key-file", "a", "--plan-public-key-file=b"))
	env := map[string]string{"EXECUTOR_PLAN_PUBLIC_KEY_FILE": "x, y,,"}
	require.Equal(t, []string{"x", "y"}, parse(env))
	require.Equal(t, []string{"a"}, parse(env, "--plan-public-key-file", "a"), "the flag replaces the variable")
}
