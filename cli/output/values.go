package output

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Dollars shows a whole number of cents as dollars: 4800 is "$48.00",
// -250 is "-$2.50". Money in the API is cents, so this is exact.
func Dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// Duration shows a protobuf duration rounded to the second; unset is "-".
func Duration(d *durationpb.Duration) string {
	if d == nil {
		return "-"
	}
	return d.AsDuration().Round(time.Second).String()
}

// Time shows a timestamp in UTC to the second; unset is "-".
func Time(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return "-"
	}
	return ts.AsTime().UTC().Format(time.RFC3339)
}

// EnumName drops an enum value's type prefix: EXECUTION_STATUS_RUNNING with
// prefix "EXECUTION_STATUS_" is "RUNNING". The unset value is "-".
func EnumName(value, prefix string) string {
	name := strings.TrimPrefix(value, prefix)
	if name == "UNSPECIFIED" {
		return "-"
	}
	return name
}

// orDash shows an empty string as "-" so table columns stay aligned.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
