package apivalidate

import (
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation"
)

// offeringName is a VPSie offering name as the instance-type label carries
// it: a label value, non-empty.
var offeringName = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

// executionID is what the Executor hands out: lowercase letters, digits and dashes.
var executionID = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,126}[a-z0-9])?$`)

func (v *violations) namespace(field, value string) {
	if value == "" {
		v.add(field, "is required")
		return
	}
	for _, msg := range validation.IsDNS1123Label(value) {
		v.add(field, "%q is not a namespace name: %s", value, msg)
	}
}

// objectName checks a NodeGroup or Node name (DNS-1123 subdomain).
func (v *violations) objectName(field, value string) {
	if value == "" {
		v.add(field, "is required")
		return
	}
	for _, msg := range validation.IsDNS1123Subdomain(value) {
		v.add(field, "%q is not a valid name: %s", value, msg)
	}
}

func (v *violations) offering(field, value string) {
	switch {
	case value == "":
		v.add(field, "is required")
	case !offeringName.MatchString(value):
		v.add(field, "%q is not an offering name (letters, digits, '-', '_' and '.', at most 63)", value)
	}
}

func (v *violations) executionID(field, value string) {
	switch {
	case value == "":
		v.add(field, "is required")
	case !executionID.MatchString(value):
		v.add(field, "%q is not an execution ID (lowercase letters, digits and '-')", value)
	}
}

// uniqueNames checks each name and that none repeats.
func (v *violations) uniqueNames(field string, names []string) {
	seen := make(map[string]int, len(names))
	for i, name := range names {
		v.objectName(index(field, i), name)
		if first, dup := seen[name]; dup && name != "" {
			v.add(index(field, i), "%q repeats %s", name, index(field, first))
		}
		seen[name] = i
	}
}
