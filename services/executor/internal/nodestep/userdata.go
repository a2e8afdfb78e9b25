package nodestep

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/cache"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// maxUserData bounds the rendered document: cloud-init user data is
// small, and a template that loops without end must not fill memory.
const maxUserData = 64 << 10

// UserDataInput is what a user-data template is rendered with.
type UserDataInput struct {
	Hostname   string
	NodeGroup  string
	Offering   string
	Datacenter string
	Labels     map[string]string
	Taints     []corev1.Taint
	// KubeletLabels and KubeletTaints are Labels and Taints as the
	// kubelet's --node-labels and --register-with-taints take them.
	KubeletLabels string
	KubeletTaints string
}

// NewUserDataInput fills the kubelet forms from labels and taints.
func NewUserDataInput(hostname, group, offering, datacenter string, labels map[string]string, taints []corev1.Taint) UserDataInput {
	return UserDataInput{Hostname: hostname, NodeGroup: group, Offering: offering, Datacenter: datacenter,
		Labels: labels, Taints: taints, KubeletLabels: kubeletLabels(labels), KubeletTaints: kubeletTaints(taints)}
}

func kubeletLabels(labels map[string]string) string {
	keys := slices.Sorted(maps.Keys(labels))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}

func kubeletTaints(taints []corev1.Taint) string {
	parts := make([]string, len(taints))
	for i, t := range taints {
		kv := t.Key
		if t.Value != "" {
			kv += "=" + t.Value
		}
		parts[i] = kv + ":" + string(t.Effect)
	}
	return strings.Join(parts, ",")
}

// RenderUserData renders the template text with in. A template that does
// not parse, fails, or names a field that does not exist is an error
// (missingkey=error), never a VM booted with half a bootstrap.
func RenderUserData(text string, in UserDataInput) (string, error) {
	t, err := template.New("userData").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse the user-data template: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&limitedWriter{buf: &out, left: maxUserData}, in); err != nil {
		return "", fmt.Errorf("render the user-data template: %w", err)
	}
	return out.String(), nil
}

type limitedWriter struct {
	buf  *bytes.Buffer
	left int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, fmt.Errorf("user data longer than %d bytes", maxUserData)
	}
	w.left -= len(p)
	return w.buf.Write(p)
}

// userDataTemplate reads the group's template from its Secret, at most
// templateMaxAge old: a rotated join token is used from the VMs ordered
// that long after on, and the lanes of a rebalance share a read instead of
// making one a node.
func (r *Runner) userDataTemplate(ctx context.Context, namespace string, ref *v1alpha1.UserDataTemplate) (string, error) {
	if ref == nil {
		return "", fmt.Errorf("the group's provisioning names no user-data Secret")
	}
	key := ref.Key
	if key == "" {
		key = "userData"
	}
	at := templateKey{namespace: namespace, secret: ref.SecretName, key: key}
	if text, ok := r.templateCache().Get(at); ok {
		return text.(string), nil
	}
	s, err := r.env.Kube.GetSecret(ctx, namespace, ref.SecretName)
	if err != nil {
		return "", fmt.Errorf("read the user-data Secret %s/%s: %w", namespace, ref.SecretName, err)
	}
	text, ok := s.Data[key]
	if !ok {
		return "", fmt.Errorf("the user-data Secret %s/%s has no key %q", namespace, ref.SecretName, key)
	}
	r.templateCache().Add(at, string(text), templateMaxAge)
	return string(text), nil
}

// templateMaxAge bounds how long a template read serves: about the time
// one node takes to be ordered, so at most one round of lanes' VMs boots
// with a token rotated meanwhile (a VM that cannot join is ordered again).
const templateMaxAge = 30 * time.Second

type templateKey struct{ namespace, secret, key string }

// templates are the user-data templates read, each kept templateMaxAge
// on the Runner's clock; a handful at most (one a group's Secret key).
func (r *Runner) templateCache() *cache.LRUExpireCache {
	r.templatesOnce.Do(func() { r.templates = cache.NewLRUExpireCacheWithClock(8, r.env.Clock) })
	return r.templates
}
