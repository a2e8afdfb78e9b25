package app

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// requireFlags refuses empty required values, naming every missing flag
// at once (sorted, so the message is stable).
func requireFlags(values map[string]string) error {
	var missing []string
	for name, v := range values {
		if v == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return usageErrorf("missing %s", strings.Join(missing, ", "))
}

// parseDollars reads an amount of dollars ("144", "144.5", "$144.50") as
// whole cents, exactly: the API counts money in cents and a float would
// round 0.29 to 28.999….
func parseDollars(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("%q is not an amount of dollars like 144 or 144.50", s)
	}
	dollars, err := strconv.ParseUint(whole, 10, 40)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount of dollars like 144 or 144.50", s)
	}
	cents := uint64(0)
	if hasFrac {
		frac += strings.Repeat("0", 2-len(frac))
		if cents, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, errors.New("cents must be digits")
		}
	}
	return int64(dollars*100 + cents), nil //nolint:gosec // dollars < 2^40, so no overflow
}
