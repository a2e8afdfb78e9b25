package facts

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// localStorage describes each volume of the pod whose data lives on the
// node's disk and so does not survive the move: emptyDir, hostPath, and
// claims bound to local or hostPath PersistentVolumes.
func localStorage(r Reader, p *corev1.Pod) []string {
	var found []string
	for _, v := range p.Spec.Volumes {
		switch {
		case v.EmptyDir != nil:
			found = append(found, fmt.Sprintf("emptyDir %q", v.Name))
		case v.HostPath != nil:
			found = append(found, fmt.Sprintf("hostPath %q", v.HostPath.Path))
		case v.PersistentVolumeClaim != nil:
			if pv, ok := localVolume(r, p.Namespace, v.PersistentVolumeClaim.ClaimName); ok {
				found = append(found, fmt.Sprintf("local PersistentVolume %q (claim %q)", pv, v.PersistentVolumeClaim.ClaimName))
			}
		}
	}
	return found
}

// localVolume returns the name of the node-local volume a claim is bound
// to, if it is bound to one.
func localVolume(r Reader, namespace, claim string) (string, bool) {
	pvc, ok := r.PersistentVolumeClaim(namespace, claim)
	if !ok || pvc.Spec.VolumeName == "" {
		return "", false
	}
	pv, ok := r.PersistentVolume(pvc.Spec.VolumeName)
	if !ok || (pv.Spec.Local == nil && pv.Spec.HostPath == nil) {
		return "", false
	}
	return pv.Name, true
}
