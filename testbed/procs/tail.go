package procs

import (
	"bytes"
	"fmt"
	"os"
)

// Tail returns the last lines of the child's log, to quote in an error
// when the log itself is about to be removed.
func (p *Child) Tail(lines int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	data = bytes.TrimRight(data, "\n")
	for i, n := len(data)-1, 0; i >= 0; i-- {
		if data[i] == '\n' {
			if n++; n == lines {
				return string(data[i+1:])
			}
		}
	}
	return string(data)
}
