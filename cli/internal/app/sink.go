package app

import (
	"fmt"

	"github.com/vpsie/node-rebalancer/cli/output"
	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// eventSink shows a watched execution: start once with the state before
// any event, then event after each.
type eventSink struct {
	start func(*progressview.State) error
	event func(*progressview.State, *rebalancerv1.ExecutionEvent) error
}

// eventSink picks how watch shows events: bars redrawn on a terminal, one
// line per event elsewhere, or one document per event for -o json/yaml.
func (a *app) eventSink() eventSink {
	out := a.env.Stdout
	noStart := func(*progressview.State) error { return nil }
	switch a.global.output {
	case output.JSON:
		return eventSink{start: noStart, event: func(_ *progressview.State, ev *rebalancerv1.ExecutionEvent) error {
			b, err := output.CompactJSON(ev)
			if err == nil {
				_, err = out.Write(b)
			}
			return err
		}}
	case output.YAML:
		return eventSink{start: noStart, event: func(_ *progressview.State, ev *rebalancerv1.ExecutionEvent) error {
			b, err := output.YAMLOf(ev)
			if err == nil {
				_, err = fmt.Fprintf(out, "---\n%s", b)
			}
			return err
		}}
	}
	if isTerminal, width := a.env.Terminal(); isTerminal {
		// One column spare: writing the last column makes some terminals
		// wrap early, and the redraw would miscount lines.
		term := progressview.NewTerminal(out, max(width-1, 0))
		draw := func(s *progressview.State) error { return term.Draw(progressview.Render(s)) }
		return eventSink{start: draw, event: func(s *progressview.State, _ *rebalancerv1.ExecutionEvent) error { return draw(s) }}
	}
	return eventSink{start: noStart, event: func(_ *progressview.State, ev *rebalancerv1.ExecutionEvent) error {
		_, err := fmt.Fprintln(out, progressview.Line(ev))
		return err
	}}
}
