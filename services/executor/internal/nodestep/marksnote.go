package nodestep

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// AnnotationOriginalMarks carries, on a tainted old node, the marks the
// node had before (and which execution tainted it): a copy of what the
// execution's record holds, so a node whose record is lost (a bucket
// purged, a NATS cluster rebuilt) can still be restored exactly instead
// of staying cordoned for good.
const AnnotationOriginalMarks = "rebalancer.autoscaler.vpsie.io/original-marks"

// DefaultInstallation is the installation of an executor not told its own:
// one per cluster, as a cluster usually runs.
const DefaultInstallation = "default"

// MarksNote is the annotation's value.
type MarksNote struct {
	Installation string `json:"installation"`
	Execution    string `json:"execution"`
	store.Marks
}

// marksNote is the annotation's value for the node's original marks. It
// goes on the node in the same patch as the replacing taint (markNode),
// replacing a note an earlier execution left.
func (r *Runner) marksNote(original *store.Marks) (string, error) {
	value, err := json.Marshal(MarksNote{Installation: r.env.Installation, Execution: r.x.ID(), Marks: *original})
	return string(value), err
}

// NoteOn reads the annotation of a node; ok is false when it has none
// that parses.
func NoteOn(n *corev1.Node) (MarksNote, bool) {
	var note MarksNote
	raw, found := n.Annotations[AnnotationOriginalMarks]
	if !found || json.Unmarshal([]byte(raw), &note) != nil || note.Execution == "" {
		return MarksNote{}, false
	}
	return note, true
}
