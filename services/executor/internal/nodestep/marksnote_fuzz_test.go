package nodestep

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// FuzzNoteOn reads any annotation value as the note of original marks, as
// a reconciling Executor does on every node of a group (anyone who may
// annotate nodes writes it): NoteOn never panics, reads only a note that
// names an execution, and a note it reads, written again as marksNote
// writes it, reads back the same.
func FuzzNoteOn(f *testing.F) {
	for _, note := range []MarksNote{
		{Installation: DefaultInstallation, Execution: "exec-1a2b", Marks: store.Marks{
			Unschedulable: true,
			Taints:        []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}},
			Labels:        map[string]string{"node.kubernetes.io/exclude-from-external-load-balancers": ""},
		}},
		{Installation: "blue", Execution: "exec-2"},
	} {
		b, err := json.Marshal(note)
		require.NoError(f, err)
		f.Add(string(b))
	}
	f.Add(`{"execution":""}`)
	f.Add(`{"execution":"e","taints":[{"key":"k","timeAdded":"2026-03-14T02:00:00Z"}]}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, value string) {
		node := func(v string) *corev1.Node {
			return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Annotations: map[string]string{AnnotationOriginalMarks: v}}}
		}
		note, ok := NoteOn(node(value))
		if !ok {
			require.Zero(t, note.Execution)
			return
		}
		require.NotEmpty(t, note.Execution, "a note names its execution")
		b, err := json.Marshal(note)
		require.NoError(t, err, "a note read can be written again")
		again, ok := NoteOn(node(string(b)))
		require.True(t, ok)
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2), "read, write, read gives the same note")
	})
}
