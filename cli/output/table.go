package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table aligns rows in columns, two spaces apart, like kubectl. Rows are
// laid out in memory and written to out once, so one error check covers
// the whole table.
type table struct {
	out io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{out: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) {
	// Writing to a tabwriter over a bytes.Buffer cannot fail.
	_, _ = io.WriteString(t.tw, strings.Join(cells, "\t")+"\n")
}

func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	_, err := t.out.Write(t.buf.Bytes())
	return err
}

// fields prints "Key: value" lines with the values aligned.
func fields(w io.Writer, pairs ...string) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 1, ' ', 0)
	for i := 0; i+1 < len(pairs); i += 2 {
		_, _ = fmt.Fprintf(tw, "%s:\t%s\n", pairs[i], pairs[i+1]) // into memory, cannot fail
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// section prints a blank line and a title before a table.
func section(w io.Writer, title string) error {
	_, err := io.WriteString(w, "\n"+title+"\n")
	return err
}
