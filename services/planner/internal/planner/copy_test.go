package planner

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// TestCopyCandidatesCopiesEveryField copies nodes with every field of
// CandidateNode, Workload and Duration set (lists of two, unknown fields
// on each message) and holds the copies equal to them and sharing nothing
// with them: a field added to the API fails here until copy.go copies it.
func TestCopyCandidatesCopiesEveryField(t *testing.T) {
	t.Parallel()
	full := func() *rebalancerv1.CandidateNode {
		c := &rebalancerv1.CandidateNode{}
		fillEvery(c.ProtoReflect(), 1)
		return c
	}
	originals := []*rebalancerv1.CandidateNode{full(), candidate(1, 2), {}, full()}
	before := make([]*rebalancerv1.CandidateNode, len(originals))
	for i, c := range originals {
		before[i] = proto.CloneOf(c)
	}
	require.NotEmpty(t, originals[0].GetWorkloads()[1].GetPdbNames(), "fillEvery reaches the workloads' lists")
	require.NotEmpty(t, originals[0].ProtoReflect().GetUnknown())

	copies := copyCandidates(originals)
	require.Len(t, copies, len(originals))
	for i := range originals {
		require.True(t, proto.Equal(originals[i], copies[i]), "copy %d equals its original", i)
		require.Equal(t, originals[i].ProtoReflect().GetUnknown(), copies[i].ProtoReflect().GetUnknown(), "copy %d keeps unknown fields", i)
		if age := copies[i].GetAge(); age != nil {
			age.Seconds++
		}
		for _, w := range copies[i].GetWorkloads() {
			if len(w.PdbNames) > 0 {
				w.PdbNames[0] = "edited"
			}
			w.Namespace = "edited"
		}
		require.True(t, proto.Equal(before[i], originals[i]), "editing copy %d leaves its original alone", i)
	}
}

// fillEvery sets every field of m to a value other than its default, its
// lists to two entries, and gives it an unknown field.
func fillEvery(m protoreflect.Message, k int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for j := range 2 {
				if fd.Kind() == protoreflect.MessageKind {
					e := l.NewElement()
					fillEvery(e.Message(), k+j+1)
					l.Append(e)
					continue
				}
				l.Append(everyScalar(fd, k+j))
			}
		case fd.Kind() == protoreflect.MessageKind:
			fillEvery(m.Mutable(fd).Message(), k+1)
		default:
			m.Set(fd, everyScalar(fd, k+i))
		}
	}
	m.SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 1000, protowire.VarintType), uint64(k)))
}

func everyScalar(fd protoreflect.FieldDescriptor, k int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(string(fd.Name()) + "-" + string(rune('a'+k%26)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(k) + 0.5)
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(k))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(k) << 33)
	}
	panic("fillEvery has no value for " + fd.Kind().String())
}
