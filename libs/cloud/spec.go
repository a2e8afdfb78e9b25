package cloud

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// CreateSpec asks for one VM that will join the cluster as a node.
type CreateSpec struct {
	// Hostname becomes the Node's name. The caller derives it
	// deterministically (plan and replaced node), so a retry finds the VM it
	// already asked for. It must be a DNS-1123 label.
	Hostname string
	// OfferingID is the offering's identifier (see Catalogue.GetOffering to
	// turn a name into one).
	OfferingID string
	// Datacenter is the datacenter's identifier or name.
	Datacenter string
	// Labels and Taints are what the node registers with, for example the
	// node-group label. They travel as VM tags (see EncodeTags), which the
	// simulator joins with; on real VMs the UserData bootstrap applies them.
	Labels map[string]string
	Taints []corev1.Taint
	// Tags are other tags to put on the VM, returned in VM.Tags; the
	// rebalancer names what a replacement was created for in one
	// (ReplacementTag), so a VM whose execution is lost can be found.
	Tags []string
	// UserData is the cloud-init document that bootstraps the kubelet.
	UserData string
	// FirstAttempt says the caller's own durable record shows that no
	// create for Hostname was ever sent: it wrote its intent to create
	// (a write-ahead record) and has sent nothing since, so no VM can have
	// this hostname and CreateVM may order without looking for one first.
	// Only the first attempt of the call skips the look-up: a retry follows
	// an answer that was lost, and looks first. Leave it false when in
	// doubt (a resumed or retried step): that is always safe, only slower.
	FirstAttempt bool
}

// Validate checks what the cloud would refuse, before any call is made.
// Its errors are ErrInvalid.
func (s CreateSpec) Validate() error {
	var problems []string
	add := func(field string, msgs []string) {
		for _, m := range msgs {
			problems = append(problems, field+": "+m)
		}
	}
	add("hostname", validation.IsDNS1123Label(s.Hostname))
	if s.OfferingID == "" {
		add("offeringID", []string{"required"})
	}
	if s.Datacenter == "" {
		add("datacenter", []string{"required"})
	}
	for k, v := range s.Labels {
		add("labels["+k+"]", append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...))
	}
	for _, t := range s.Taints {
		add("taints["+t.Key+"]", validateTaint(t))
	}
	if len(problems) > 0 {
		slices.Sort(problems) // map order would make the message flap
		return NewError(ErrInvalid, "CreateVM", "%s", strings.Join(problems, "; "))
	}
	return nil
}

func validateTaint(t corev1.Taint) []string {
	msgs := validation.IsQualifiedName(t.Key)
	if t.Value != "" {
		msgs = append(msgs, validation.IsValidLabelValue(t.Value)...)
	}
	switch t.Effect {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		msgs = append(msgs, "effect must be NoSchedule, PreferNoSchedule or NoExecute")
	}
	return msgs
}
