package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
)

var analyzeFlags = []string{"-n", "shop", "-g", "web", "--current", "standard-8", "--target", "compute-4"}

// The Planner's BadRequest reaches the operator one field per line.
func TestInvalidArgumentPrintsEachField(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	st, err := status.New(codes.InvalidArgument, "invalid request: ...").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "overrides.batch_size", Description: "must be at least 1"},
			{Field: "overrides.min_healthy_percent", Description: "must be between 0 and 100"},
		},
	})
	require.NoError(t, err)
	svc.planner.err = st.Err()
	got := invocation{env: svc.env}.run(t, append([]string{"plan", "--batch-size", "0", "--min-healthy-percent", "150"}, analyzeFlags...)...)
	require.Equal(t, app.ExitError, got.code)
	require.Equal(t, "Error: planner ("+svc.env["REBALANCECTL_PLANNER"]+") rejected the request as invalid: see below\n"+
		"  overrides.batch_size: must be at least 1\n"+
		"  overrides.min_healthy_percent: must be between 0 and 100\n", got.stderr)
	require.Empty(t, got.stdout)
}

func TestUnreachableServiceIsOneLine(t *testing.T) {
	t.Parallel()
	addr := closedAddress(t)
	got := invocation{env: map[string]string{}}.run(t, "get", "exec-1", "--executor", addr)
	require.Equal(t, app.ExitError, got.code)
	require.Regexp(t, `^Error: executor \(`+addr+`\) is unavailable \(check the address and that it runs\): [^\n]+\n$`, got.stderr)
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"a mistyped command is suggested":        {args: []string{"lsit"}, want: `unknown command "lsit"; did you mean list?`},
		"an unknown flag":                        {args: []string{"get", "x", "--bogus"}, want: "unknown flag: --bogus"},
		"a missing execution ID":                 {args: []string{"watch"}, want: "missing EXECUTION_ID"},
		"an extra argument":                      {args: []string{"get", "a", "b"}, want: `unexpected argument "b" after EXECUTION_ID`},
		"an unknown output format":               {args: []string{"list", "-o", "xml"}, want: `unknown output format "xml"`},
		"an unknown format in the environment":   {env: map[string]string{"REBALANCECTL_OUTPUT": "xml"}, args: []string{"list"}, want: `unknown output format "xml"`},
		"a malformed timeout in the environment": {env: map[string]string{"REBALANCECTL_TIMEOUT": "soon"}, args: []string{"list"}, want: `REBALANCECTL_TIMEOUT="soon"`},
		"a zero timeout":                         {args: []string{"list", "--timeout", "0s"}, want: "--timeout must be positive"},
		"analyze without its required flags":     {args: []string{"analyze", "-n", "shop"}, want: "missing --current, --group, --target"},
		"plan with neither input":                {args: []string{"plan"}, want: "give --file with an analysis"},
		"plan with both inputs":                  {args: []string{"plan", "-f", "a.json", "-g", "web"}, want: "not both"},
		"an unknown strategy":                    {args: append([]string{"plan", "--strategy", "big-bang"}, analyzeFlags...), want: `--strategy "big-bang"`},
		"savings with fractions of cents":        {args: append([]string{"analyze", "--claimed-savings", "1.234"}, analyzeFlags...), want: `"1.234" is not an amount`},
		"execute without a plan":                 {args: []string{"execute"}, want: "missing --file"},
		"an unknown status filter":               {args: []string{"list", "--status", "done"}, want: `--status "done"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := invocation{env: c.env}.run(t, c.args...)
			require.Equal(t, app.ExitUsage, got.code, got.stderr)
			require.Contains(t, got.stderr, c.want)
			require.Contains(t, got.stderr, "--help' for usage.")
		})
	}
}

// A flag given beats the environment, which beats the default.
func TestAddressesFallBackToTheEnvironment(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	fromEnv := invocation{env: svc.env}.run(t, "get", testfixture.ExecutionID)
	require.Equal(t, 0, fromEnv.code, fromEnv.stderr)
	require.Contains(t, fromEnv.stdout, "Execution:   "+testfixture.ExecutionID)

	wrongEnv := with(svc.env, "REBALANCECTL_EXECUTOR", closedAddress(t))
	flagWins := invocation{env: wrongEnv}.run(t, "get", testfixture.ExecutionID, "--executor", svc.env["REBALANCECTL_EXECUTOR"])
	require.Equal(t, 0, flagWins.code, flagWins.stderr)

	envUsed := invocation{env: wrongEnv}.run(t, "get", testfixture.ExecutionID)
	require.Equal(t, app.ExitError, envUsed.code, "the wrong address from the environment was dialled")
	require.Contains(t, envUsed.stderr, wrongEnv["REBALANCECTL_EXECUTOR"])

	yamlFromEnv := invocation{env: with(svc.env, "REBALANCECTL_OUTPUT", "yaml")}.run(t, "get", testfixture.ExecutionID)
	require.Equal(t, 0, yamlFromEnv.code, yamlFromEnv.stderr)
	require.Contains(t, yamlFromEnv.stdout, "execution_id: "+testfixture.ExecutionID+"\n")
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"--help"}, {"watch", "--help"}} {
		got := invocation{}.run(t, args...)
		require.Equal(t, 0, got.code, got.stderr)
		require.Contains(t, got.stdout, "Usage:")
	}
}
