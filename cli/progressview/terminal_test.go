package progressview_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/cli/progressview"
)

// The second frame moves up over the first and clears below it; lines
// longer than the terminal are cut so the count of lines stays right.
func TestTerminalRedrawsInPlace(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	term := progressview.NewTerminal(&out, 10)
	require.NoError(t, term.Draw([]string{"one", "a line longer than ten"}))
	require.Equal(t, "one\na line lo…\n", out.String())
	out.Reset()
	require.NoError(t, term.Draw([]string{"three"}))
	require.Equal(t, "\x1b[2A\r\x1b[Jthree\n", out.String())
}

func TestTerminalOfUnknownWidthDoesNotCut(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, progressview.NewTerminal(&out, 0).Draw([]string{"a line longer than ten"}))
	require.Equal(t, "a line longer than ten\n", out.String())
}
