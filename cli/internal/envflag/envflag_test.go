package envflag_test

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/cli/internal/envflag"
)

func env(vars map[string]string) envflag.Lookup {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestFlagThenEnvironmentThenDefault(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var analyzer, planner, executor string
	var timeout time.Duration
	fs.StringVar(&analyzer, "analyzer", "a:0", "analyzer")
	fs.StringVar(&planner, "planner", "p:0", "planner")
	fs.StringVar(&executor, "executor", "e:0", "executor")
	fs.DurationVar(&timeout, "timeout", time.Second, "timeout")
	b := envflag.New("RCTL")
	for _, name := range []string{"analyzer", "planner", "executor", "timeout"} {
		b.Bind(fs, name)
	}
	require.NoError(t, fs.Parse([]string{"--analyzer", "a:flag"}))
	require.NoError(t, b.Apply(fs, env(map[string]string{
		"RCTL_ANALYZER": "a:env", "RCTL_PLANNER": "p:env", "RCTL_TIMEOUT": "5s",
	})))
	require.Equal(t, "a:flag", analyzer, "a flag given beats the environment")
	require.Equal(t, "p:env", planner, "the environment beats the default")
	require.Equal(t, "e:0", executor, "the default stands alone")
	require.Equal(t, 5*time.Second, timeout)
	require.Contains(t, fs.Lookup("planner").Usage, "(env RCTL_PLANNER)")
}

func TestMalformedVariableIsNamed(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var timeout time.Duration
	fs.DurationVar(&timeout, "timeout", time.Second, "timeout")
	b := envflag.New("RCTL")
	b.Bind(fs, "timeout")
	require.NoError(t, fs.Parse(nil))
	err := b.Apply(fs, env(map[string]string{"RCTL_TIMEOUT": "soon"}))
	require.ErrorContains(t, err, `RCTL_TIMEOUT="soon"`)
}

func TestVarName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "REBALANCECTL_FROM_SEQUENCE", envflag.New("REBALANCECTL").VarName("from-sequence"))
}
