package vpsie

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// VPSie sends some numbers as strings ("ram": "16384", "price": "48.00"),
// some flags as 0/1, and some fields as null. These types accept every
// spelling seen, so one odd field does not make a whole answer unreadable.

// flexInt is an integer sent as a number, a numeric string, a bool, or null.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	v, err := flexNumber(b)
	if err != nil {
		return err
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return fmt.Errorf("%s is not an integer", truncate(b))
	}
	*f = flexInt(v)
	return nil
}

// flexFloat is a decimal sent as a number, a numeric string, or null.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	v, err := flexNumber(b)
	*f = flexFloat(v)
	return err
}

// flexBool is a flag sent as a bool, 0/1, "true"/"false", "0"/"1", or null.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	v, err := flexNumber(b)
	*f = v != 0
	return err
}

// flexNumber reads any of the spellings above as a float64.
func flexNumber(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "null", `""`, "false":
		return 0, nil
	case "true":
		return 1, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		b = []byte(strings.TrimSpace(s))
		switch strings.ToLower(string(b)) {
		case "", "false":
			return 0, nil
		case "true":
			return 1, nil
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is not a number", truncate(b))
	}
	return v, nil
}

// flexString is text sent as a string, a list of strings (joined), a
// number, or null. Anything else keeps its JSON text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*f = flexString(strings.Join(list, "; "))
		return nil
	}
	if string(bytes.TrimSpace(b)) == "null" {
		*f = ""
		return nil
	}
	*f = flexString(truncate(b))
	return nil
}

// truncate keeps error messages short whatever the server sent.
func truncate(b []byte) string {
	const limit = 200
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}
