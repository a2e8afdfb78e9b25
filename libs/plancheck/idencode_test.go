package plancheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// reflectEncodingV2 is the v2 encoding's rules (idencode.go) applied by
// reflection to every field the API declares: slow, but it cannot miss a
// field, which the hand-written encoder must not either.
func reflectEncodingV2(t testing.TB, p *rebalancerv1.RebalancePlan) []byte {
	t.Helper()
	out := []byte(idDomainV2)
	skip := map[protowire.Number]bool{1: true, 23: true, 24: true} // plan_id, signature, signing_key_id
	return reflectFields(t, out, p.ProtoReflect(), skip)
}

// delegatedV2 are the messages the v2 encoding writes as their
// deterministic protobuf encoding.
var delegatedV2 = map[protoreflect.FullName]bool{
	"rebalancer.v1.Opportunity":     true,
	"rebalancer.v1.RebalancePolicy": true,
	"rebalancer.v1.SafetyCheck":     true,
	"google.protobuf.Timestamp":     true,
}

func reflectFields(t testing.TB, out []byte, m protoreflect.Message, skip map[protowire.Number]bool) []byte {
	t.Helper()
	var fields []protoreflect.FieldDescriptor
	for i := range m.Descriptor().Fields().Len() {
		fields = append(fields, m.Descriptor().Fields().Get(i))
	}
	slices.SortFunc(fields, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number() - b.Number()) })
	for _, fd := range fields {
		if skip[fd.Number()] || !m.Has(fd) {
			continue
		}
		if fd.IsList() {
			l := m.Get(fd).List()
			for i := range l.Len() {
				out = reflectValue(t, out, fd, l.Get(i))
			}
			continue
		}
		out = reflectValue(t, out, fd, m.Get(fd))
	}
	return append(out, m.GetUnknown()...)
}

func reflectValue(t testing.TB, out []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	t.Helper()
	n := fd.Number()
	switch fd.Kind() {
	case protoreflect.MessageKind:
		if delegatedV2[fd.Message().FullName()] {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(v.Message().Interface())
			require.NoError(t, err)
			return protowire.AppendBytes(protowire.AppendTag(out, n, protowire.BytesType), b)
		}
		require.False(t, fd.IsMap(), "%s: the v2 encoding has no rule for maps outside delegated messages", fd.FullName())
		out = protowire.AppendTag(out, n, protowire.StartGroupType)
		out = reflectFields(t, out, v.Message(), nil)
		return protowire.AppendTag(out, n, protowire.EndGroupType)
	case protoreflect.StringKind:
		return protowire.AppendString(protowire.AppendTag(out, n, protowire.BytesType), v.String())
	case protoreflect.DoubleKind:
		return protowire.AppendFixed64(protowire.AppendTag(out, n, protowire.Fixed64Type), math.Float64bits(v.Float()))
	case protoreflect.BoolKind:
		return protowire.AppendVarint(protowire.AppendTag(out, n, protowire.VarintType), protowire.EncodeBool(v.Bool()))
	case protoreflect.EnumKind:
		return protowire.AppendVarint(protowire.AppendTag(out, n, protowire.VarintType), uint64(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return protowire.AppendVarint(protowire.AppendTag(out, n, protowire.VarintType), uint64(v.Int()))
	}
	t.Fatalf("%s: the v2 encoding has no rule for %s fields", fd.FullName(), fd.Kind())
	return nil
}

// writeEncodingV2 writes idDomainV2 and p's v2 encoding to out, to read
// it back.
func writeEncodingV2(out io.Writer, p *rebalancerv1.RebalancePlan) error {
	write := func(b []byte) []byte {
		_, _ = out.Write(b)
		return b[:0]
	}
	last, err := encodeV2(newChunk(), write, p)
	if err != nil {
		return err
	}
	write(last)
	return nil
}

func handEncodingV2(t testing.TB, p *rebalancerv1.RebalancePlan) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeEncodingV2(&b, p))
	return b.Bytes()
}

// everyField is a plan with every field of every message in it set to a
// value other than its default, lists of two, and unknown fields on each
// message: what a field forgotten by the hand-written encoder would show
// in.
func everyField(t testing.TB) *rebalancerv1.RebalancePlan {
	t.Helper()
	p := &rebalancerv1.RebalancePlan{}
	fill(p.ProtoReflect(), 0)
	return p
}

// fill sets every field of m; depth varies the values between messages.
func fill(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for k := range 2 {
				mp.Set(protoreflect.ValueOfString(string(rune('a'+k+depth))).MapKey(), protoreflect.ValueOfString("v"))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for k := range 2 {
				if fd.Kind() == protoreflect.MessageKind {
					e := l.NewElement()
					fill(e.Message(), depth+k+1)
					l.Append(e)
					continue
				}
				l.Append(scalar(fd, depth+k+1))
			}
		case fd.Kind() == protoreflect.MessageKind:
			fill(m.Mutable(fd).Message(), depth+1)
		default:
			m.Set(fd, scalar(fd, depth+i+1))
		}
	}
	m.SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 1000+protowire.Number(depth), protowire.VarintType), 7))
}

func scalar(fd protoreflect.FieldDescriptor, k int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(string(fd.Name()) + "-" + string(rune('a'+k%26)))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{byte(k)})
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(k) + 0.5)
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1 + k%2))
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(-k))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(k) << 40)
	}
	panic("fill has no value for " + fd.Kind().String())
}

// TestIDEncodingV2MatchesReflection holds the hand-written encoder to the
// reflection walk on the fixtures and on a plan with every field set: a
// field added to a message the encoder writes by hand fails here until the
// encoder writes it.
func TestIDEncodingV2MatchesReflection(t *testing.T) {
	t.Parallel()
	full := everyField(t)
	require.NotEmpty(t, full.GetBatches()[0].GetNodes()[0].GetWorkloads()[0].GetPdbNames(), "fill reaches the bottom of the plan")
	for name, p := range map[string]*rebalancerv1.RebalancePlan{
		"every field set": full, "rolling": rollingPlan(), "blue-green": blueGreenPlan(), "empty": {},
	} {
		require.Equal(t, reflectEncodingV2(t, p), handEncodingV2(t, p), name)
	}
}

// TestPlanIDV2SeesEveryField changes each field of the every-field plan in
// turn, in the plan and in its first batch, node, workload and rollback
// step: each change gives another ID.
func TestPlanIDV2SeesEveryField(t *testing.T) {
	t.Parallel()
	base, err := PlanID(everyField(t))
	require.NoError(t, err)
	seen := map[string]string{base: "the unchanged plan"}
	paths := []func(*rebalancerv1.RebalancePlan) protoreflect.Message{
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message { return p.ProtoReflect() },
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message { return p.GetBatches()[1].ProtoReflect() },
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message {
			return p.GetBatches()[0].GetNodes()[1].ProtoReflect()
		},
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message {
			return p.GetBatches()[0].GetNodes()[0].GetWorkloads()[1].ProtoReflect()
		},
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message {
			return p.GetRollbackPlan().GetSteps()[1].ProtoReflect()
		},
		func(p *rebalancerv1.RebalancePlan) protoreflect.Message { return p.GetPolicy().ProtoReflect() },
	}
	for _, at := range paths {
		fields := at(everyField(t)).Descriptor().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			p := everyField(t)
			at(p).Clear(fd)
			id, err := PlanID(p)
			require.NoError(t, err)
			if n := fd.Number(); fd.ContainingMessage().FullName() == "rebalancer.v1.RebalancePlan" && (n == 1 || n == 23 || n == 24) {
				require.Equal(t, base, id, "%s is not content", fd.FullName())
				continue
			}
			if prev, ok := seen[id]; ok {
				t.Fatalf("clearing %s gives the ID of %s", fd.FullName(), prev)
			}
			seen[id] = string(fd.FullName())
		}
	}
}

// TestPlanIDHashesTheWholeEncoding: the ID is the hash of the encoding
// whether it fits in one chunk or is hashed chunk by chunk.
func TestPlanIDHashesTheWholeEncoding(t *testing.T) {
	t.Parallel()
	large := everyField(t)
	for len(handEncodingV2(t, large)) < 5*idChunk {
		large.Batches = append(large.Batches, large.GetBatches()...)
	}
	for name, p := range map[string]*rebalancerv1.RebalancePlan{"one chunk": rollingPlan(), "many chunks": large} {
		sum := sha256.Sum256(handEncodingV2(t, p))
		id, err := PlanID(p)
		require.NoError(t, err)
		require.Equal(t, idPrefixV2+hex.EncodeToString(sum[:])[:idHexDigits], id, name)
	}
}

// TestNodesSharedBetweenPhasesEncodeAsTheirCopies: a blue-green plan whose
// phases hold the same node messages, as the Planner's do, in order, out of
// order and with a node missing, encodes to the bytes the reflection walk
// gives and has the ID of a copy whose nodes are all distinct messages, as
// a decoded plan's are: an encoder that reuses a node's bytes must keep it
// so.
func TestNodesSharedBetweenPhasesEncodeAsTheirCopies(t *testing.T) {
	t.Parallel()
	full := func(name string) *rebalancerv1.CandidateNode {
		c := &rebalancerv1.CandidateNode{}
		fill(c.ProtoReflect(), len(name))
		c.NodeName = name
		return c
	}
	a, b, c := full("a"), full("bb"), full("ccc")
	plan := func(phases ...[]*rebalancerv1.CandidateNode) *rebalancerv1.RebalancePlan {
		p := blueGreenPlan()
		p.Batches = nil
		for i, nodes := range phases {
			phase := []rebalancerv1.BatchPhase{phaseProvision, phaseDrain, phaseTerminate}[min(i, 2)]
			p.Batches = append(p.Batches, &rebalancerv1.NodeBatch{BatchNumber: int32(i + 1), Phase: phase, Nodes: nodes})
		}
		return p
	}
	for name, p := range map[string]*rebalancerv1.RebalancePlan{
		"in order":      plan([]*rebalancerv1.CandidateNode{a, b, c}, []*rebalancerv1.CandidateNode{a, b, c}, []*rebalancerv1.CandidateNode{a, b, c}),
		"out of order":  plan([]*rebalancerv1.CandidateNode{a, b, c}, []*rebalancerv1.CandidateNode{c, a, b}, []*rebalancerv1.CandidateNode{b, b, a}),
		"a node missed": plan([]*rebalancerv1.CandidateNode{a, b}, []*rebalancerv1.CandidateNode{a, c, b}, []*rebalancerv1.CandidateNode{c, a}),
		"first phase repeats": plan([]*rebalancerv1.CandidateNode{a, a, b}, []*rebalancerv1.CandidateNode{a, b},
			[]*rebalancerv1.CandidateNode{b, a}),
	} {
		require.Equal(t, reflectEncodingV2(t, p), handEncodingV2(t, p), name)
		id, err := PlanID(p)
		require.NoError(t, err)
		require.Equal(t, mustID(t, proto.CloneOf(p)), id, name)
	}
}
