package cloud

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// VPSie has no field for node labels and taints, so they travel as VM tags
// with these prefixes. Tags come back on every listed VM, which lets the
// simulator join with them and lets callers see what a VM was created for.
const (
	LabelTagPrefix = "k8s-label:" // k8s-label:<key>=<value>
	TaintTagPrefix = "k8s-taint:" // k8s-taint:<key>[=<value>]:<effect>
)

// EncodeTags renders labels and taints as tags, in a stable order.
func EncodeTags(labels map[string]string, taints []corev1.Taint) []string {
	tags := make([]string, 0, len(labels)+len(taints))
	for k, v := range labels {
		tags = append(tags, LabelTagPrefix+k+"="+v)
	}
	slices.Sort(tags)
	for _, t := range taints {
		kv := t.Key
		if t.Value != "" {
			kv += "=" + t.Value
		}
		tags = append(tags, TaintTagPrefix+kv+":"+string(t.Effect))
	}
	return tags
}

// DecodeTags splits tags into the labels and taints EncodeTags wrote and
// the remaining tags. Malformed label or taint tags count as other tags.
func DecodeTags(tags []string) (labels map[string]string, taints []corev1.Taint, other []string) {
	labels = map[string]string{}
	for _, tag := range tags {
		if kv, ok := strings.CutPrefix(tag, LabelTagPrefix); ok {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				labels[k] = v
				continue
			}
		}
		if rest, ok := strings.CutPrefix(tag, TaintTagPrefix); ok {
			if t, ok := parseTaint(rest); ok {
				taints = append(taints, t)
				continue
			}
		}
		other = append(other, tag)
	}
	return labels, taints, other
}

// parseTaint reads kubectl's taint syntax, key[=value]:effect.
func parseTaint(s string) (corev1.Taint, bool) {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return corev1.Taint{}, false
	}
	key, value, _ := strings.Cut(s[:i], "=")
	if key == "" {
		return corev1.Taint{}, false
	}
	return corev1.Taint{Key: key, Value: value, Effect: corev1.TaintEffect(s[i+1:])}, true
}
