package planner

import (
	"fmt"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// violations collects what is malformed in a request, by field path.
type violations struct {
	list []plancheck.Violation
}

func (v *violations) add(field, format string, args ...any) {
	v.list = append(v.list, plancheck.Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

func (v *violations) err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &InvalidAnalysisError{Violations: v.list}
}

// atLeast checks a count whose zero means "unset" is not negative, or a set
// override is at least min.
func (v *violations) atLeast(field string, value, min int32) {
	if value < min {
		v.add(field, "must be at least %d, got %d", min, value)
	}
}

// duration checks an optional duration is valid and not negative.
func (v *violations) duration(field string, d *durationpb.Duration) {
	if d == nil {
		return
	}
	if err := d.CheckValid(); err != nil {
		v.add(field, "%v", err)
	} else if d.AsDuration() < 0 {
		v.add(field, "must not be negative, got %s", d.AsDuration())
	}
}

func path(parent, child string) string { return parent + "." + child }

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
