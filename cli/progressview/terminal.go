package progressview

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal redraws frames in place: it moves the cursor up over the last
// frame and clears to the end of the screen before writing the next. Lines
// are cut to the terminal's width, because a wrapped line would make the
// cursor move miscount.
type Terminal struct {
	w     io.Writer
	width int
	drawn int // lines of the frame on screen
}

// NewTerminal draws on w, a terminal width columns wide (0: unknown, no cut).
func NewTerminal(w io.Writer, width int) *Terminal { return &Terminal{w: w, width: width} }

// Draw replaces the frame on screen with lines.
func (t *Terminal) Draw(lines []string) error {
	var b strings.Builder
	if t.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\r\x1b[J", t.drawn) // up, column 0, clear below
	}
	for _, l := range lines {
		b.WriteString(cut(l, t.width))
		b.WriteByte('\n')
	}
	t.drawn = len(lines)
	_, err := io.WriteString(t.w, b.String())
	return err
}

// cut shortens s to width runes (the last one an ellipsis).
func cut(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
