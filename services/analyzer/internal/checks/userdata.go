package checks

import (
	"fmt"
	"strings"
	"text/template"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// userData (vm mode) fails when the template the Executor would boot
// replacements with cannot be read: no Secret, no key, an empty value, or
// text that does not parse as a Go template. A VM booted without its
// bootstrap never joins, so each is a REJECT naming what to fix; a read
// that failed for another reason may succeed later (POSTPONE).
func userData(in *Input) Result {
	s := in.Provisioning.UserData
	ref := s.Namespace + "/" + s.Name
	details := map[string]string{"secret": ref, "key": s.Key}
	switch {
	case s.Name == "":
		return failed(resources, NameProvisioning, "the vm mode needs spec.provisioning.userData.secretName", nil, false)
	case s.Err != nil && apierrors.IsForbidden(s.Err):
		return failed(resources, NameProvisioning, fmt.Sprintf(
			"the Analyzer may not read the user-data Secret %s: grant its service account get on that Secret (deploy/README.md)", ref),
			details, false)
	case s.Err != nil:
		return failed(resources, NameProvisioning, fmt.Sprintf("could not read the user-data Secret %s: %v", ref, s.Err), details, true)
	case !s.Exists:
		return failed(resources, NameProvisioning, fmt.Sprintf(
			"no Secret %s, which spec.provisioning.userData.secretName names for the user data of new VMs", ref), details, false)
	case strings.TrimSpace(s.Template) == "":
		return failed(resources, NameProvisioning, fmt.Sprintf(
			"the user-data Secret %s has no key %q, or it is empty (spec.provisioning.userData.key)", ref, s.Key), details, false)
	}
	// Parsed as the Executor renders it, so a typo is found before a VM
	// is ordered rather than after.
	if _, err := template.New("userData").Option("missingkey=error").Parse(s.Template); err != nil {
		return failed(resources, NameProvisioning, fmt.Sprintf("the user-data template in Secret %s, key %q, does not parse: %v",
			ref, s.Key, err), details, false)
	}
	return passed(resources, NameProvisioning, fmt.Sprintf("new VMs boot with the user-data template of Secret %s, key %q", ref, s.Key), details)
}
