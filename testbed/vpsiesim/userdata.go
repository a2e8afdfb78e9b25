package vpsiesim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// BootstrapUserData is a small cloud-init document that joins a VM to the
// cluster as a kubelet would be joined: kubeadm with the join token, and
// the kubelet flags --node-labels and --register-with-taints. The
// simulator reads exactly these back (see kubeletFlags), so tests that
// create VMs directly use it to get a VM that joins.
func BootstrapUserData(joinToken string, labels map[string]string, taints []corev1.Taint) string {
	var args []string
	if len(labels) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(labels)) {
			kv = append(kv, k+"="+labels[k])
		}
		args = append(args, "--node-labels="+strings.Join(kv, ","))
	}
	if len(taints) > 0 {
		var ts []string
		for _, t := range taints {
			ts = append(ts, taintFlag(t))
		}
		args = append(args, "--register-with-taints="+strings.Join(ts, ","))
	}
	return fmt.Sprintf(`#cloud-config
write_files:
  - path: /etc/default/kubelet
    content: |
      KUBELET_EXTRA_ARGS="%s"
runcmd:
  - kubeadm join --token %s --discovery-token-unsafe-skip-ca-verification kubernetes.default:6443
`, strings.Join(args, " "), joinToken)
}

// taintFlag writes a taint as --register-with-taints takes it: key=value:Effect,
// or key:Effect without a value.
func taintFlag(t corev1.Taint) string {
	if t.Value == "" {
		return fmt.Sprintf("%s:%s", t.Key, t.Effect)
	}
	return fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect)
}

var (
	// A flag's value: "=v" or " v", never the next flag ("--a --b=c").
	nodeLabelsFlag = regexp.MustCompile(`--node-labels(?:=| +)([^\s"'-][^\s"']*)`)
	taintsFlag     = regexp.MustCompile(`--register-with-taints(?:=| +)([^\s"'-][^\s"']*)`)
)

// kubeletFlags reads the labels and taints a kubelet started by the user
// data would register its Node with. Malformed entries are skipped, as a
// kubelet would refuse them rather than guess.
func kubeletFlags(userData string) (map[string]string, []corev1.Taint) {
	labels := map[string]string{}
	for _, m := range nodeLabelsFlag.FindAllStringSubmatch(userData, -1) {
		for kv := range strings.SplitSeq(m[1], ",") {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				labels[k] = v
			}
		}
	}
	var taints []corev1.Taint
	for _, m := range taintsFlag.FindAllStringSubmatch(userData, -1) {
		for entry := range strings.SplitSeq(m[1], ",") {
			if t, ok := parseTaint(entry); ok {
				taints = append(taints, t)
			}
		}
	}
	return labels, taints
}

func parseTaint(s string) (corev1.Taint, bool) {
	kv, effect, ok := strings.Cut(s, ":")
	if !ok || kv == "" {
		return corev1.Taint{}, false
	}
	key, value, _ := strings.Cut(kv, "=")
	switch e := corev1.TaintEffect(effect); e {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		return corev1.Taint{Key: key, Value: value, Effect: e}, true
	}
	return corev1.Taint{}, false
}

// mayJoin reports whether a plain VM's user data would join the cluster:
// it must carry the join token, as a kubelet bootstrap must. Without a
// configured token (Options.JoinToken empty) no plain VM joins: like a
// cluster nobody gave a token, only its managed nodes come in.
func (s *Sim) mayJoin(userData string) bool {
	return s.opts.JoinToken != "" && strings.Contains(userData, s.opts.JoinToken)
}
