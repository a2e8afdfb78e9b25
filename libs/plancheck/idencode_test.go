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

// idRules are what the reflection walk needs of a scheme's encoding
// (idencode.go, idencode3.go).
type idRules struct {
	domain string
	// encode is the hand-written encoder the walk holds to account.
	encode encoder
	// digested are the repeated fields written as one field holding the
	// SHA-256 of a domain and their elements' encoding, by that domain.
	digested map[protoreflect.FullName]string
}

var (
	rulesV2 = idRules{domain: idDomainV2, encode: encodeV2}
	rulesV3 = idRules{domain: idDomainV3, encode: encodeV3, digested: map[protoreflect.FullName]string{
		"rebalancer.v1.NodeBatch.nodes": idNodesDomainV3,
	}}
)

// reflectEncoding is a scheme's encoding rules applied by reflection to
// every field the API declares: slow, but it cannot miss a field, which
// the hand-written encoder must not either.
func reflectEncoding(t testing.TB, rules idRules, p *rebalancerv1.RebalancePlan) []byte {
	t.Helper()
	out := []byte(rules.domain)
	skip := map[protowire.Number]bool{1: true, 23: true, 24: true} // plan_id, signature, signing_key_id
	return reflectFields(t, rules, out, p.ProtoReflect(), skip)
}

// delegatedV2 are the messages the v2 and v3 encodings write as their
// deterministic protobuf encoding.
var delegatedV2 = map[protoreflect.FullName]bool{
	"rebalancer.v1.Opportunity":     true,
	"rebalancer.v1.RebalancePolicy": true,
	"rebalancer.v1.SafetyCheck":     true,
	"google.protobuf.Timestamp":     true,
}

func reflectFields(t testing.TB, rules idRules, out []byte, m protoreflect.Message, skip map[protowire.Number]bool) []byte {
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
			out = reflectList(t, rules, out, fd, m.Get(fd).List())
			continue
		}
		out = reflectValue(t, rules, out, fd, m.Get(fd))
	}
	return append(out, m.GetUnknown()...)
}

// reflectList writes a list element by element, or as the digest of its
// elements where the scheme says so.
func reflectList(t testing.TB, rules idRules, out []byte, fd protoreflect.FieldDescriptor, l protoreflect.List) []byte {
	t.Helper()
	domain, digested := rules.digested[fd.FullName()]
	elems := out
	if digested {
		elems = []byte(domain)
	}
	for i := range l.Len() {
		elems = reflectValue(t, rules, elems, fd, l.Get(i))
	}
	if !digested {
		return elems
	}
	sum := sha256.Sum256(elems)
	return protowire.AppendBytes(protowire.AppendTag(out, fd.Number(), protowire.BytesType), sum[:])
}

func reflectValue(t testing.TB, rules idRules, out []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	t.Helper()
	n := fd.Number()
	switch fd.Kind() {
	case protoreflect.MessageKind:
		if delegatedV2[fd.Message().FullName()] {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(v.Message().Interface())
			require.NoError(t, err)
			return protowire.AppendBytes(protowire.AppendTag(out, n, protowire.BytesType), b)
		}
		require.False(t, fd.IsMap(), "%s: the encoding has no rule for maps outside delegated messages", fd.FullName())
		out = protowire.AppendTag(out, n, protowire.StartGroupType)
		out = reflectFields(t, rules, out, v.Message(), nil)
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
	t.Fatalf("%s: the encoding has no rule for %s fields", fd.FullName(), fd.Kind())
	return nil
}

// writeEncoding writes the scheme's domain and p's encoding by its
// hand-written encoder to out, to read it back.
func writeEncoding(out io.Writer, rules idRules, p *rebalancerv1.RebalancePlan) error {
	write := func(b []byte) []byte {
		_, _ = out.Write(b)
		return b[:0]
	}
	last, err := rules.encode(newChunk(), write, p)
	if err != nil {
		return err
	}
	write(last)
	return nil
}

func handEncoding(t testing.TB, rules idRules, p *rebalancerv1.RebalancePlan) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeEncoding(&b, rules, p))
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
		require.Equal(t, reflectEncoding(t, rulesV2, p), handEncoding(t, rulesV2, p), name)
	}
}

// idSchemes are the schemes that derive IDs from a plan's content, by
// name; v1 (contentid) has tests of its own.
var idSchemes = []struct {
	name  string
	rules idRules
	id    func(*rebalancerv1.RebalancePlan) (string, error)
	pre   string
}{
	{"v2", rulesV2, PlanIDV2, idPrefixV2},
	{"v3", rulesV3, PlanID, idPrefixV3},
}

// TestPlanIDSeesEveryField changes each field of the every-field plan in
// turn, in the plan and in its first batch, node, workload and rollback
// step: each change gives another ID, in every scheme.
func TestPlanIDSeesEveryField(t *testing.T) {
	t.Parallel()
	for _, scheme := range idSchemes {
		base, err := scheme.id(everyField(t))
		require.NoError(t, err)
		seen := map[string]string{base: "the unchanged plan"}
		for _, at := range everyFieldPaths {
			fields := at(everyField(t)).Descriptor().Fields()
			for i := range fields.Len() {
				fd := fields.Get(i)
				p := everyField(t)
				at(p).Clear(fd)
				id, err := scheme.id(p)
				require.NoError(t, err)
				if n := fd.Number(); fd.ContainingMessage().FullName() == "rebalancer.v1.RebalancePlan" && (n == 1 || n == 23 || n == 24) {
					require.Equal(t, base, id, "%s: %s is not content", scheme.name, fd.FullName())
					continue
				}
				if prev, ok := seen[id]; ok {
					t.Fatalf("%s: clearing %s gives the ID of %s", scheme.name, fd.FullName(), prev)
				}
				seen[id] = string(fd.FullName())
			}
		}
	}
}

// everyFieldPaths lead to the plan and its first batch, node, workload,
// rollback step and policy.
var everyFieldPaths = []func(*rebalancerv1.RebalancePlan) protoreflect.Message{
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

// TestPlanIDHashesTheWholeEncoding: the ID is the hash of the encoding
// whether it fits in one chunk or is hashed chunk by chunk, in every
// scheme.
func TestPlanIDHashesTheWholeEncoding(t *testing.T) {
	t.Parallel()
	large := everyField(t)
	for len(handEncoding(t, rulesV3, large)) < 5*idChunk {
		large.Batches = append(large.Batches, large.GetBatches()...)
		large.RollbackPlan.Steps = append(large.RollbackPlan.Steps, large.GetRollbackPlan().GetSteps()...)
	}
	for _, scheme := range idSchemes {
		for name, p := range map[string]*rebalancerv1.RebalancePlan{"one chunk": rollingPlan(), "many chunks": large} {
			sum := sha256.Sum256(handEncoding(t, scheme.rules, p))
			id, err := scheme.id(p)
			require.NoError(t, err)
			require.Equal(t, scheme.pre+hex.EncodeToString(sum[:])[:idHexDigits], id, "%s: %s", scheme.name, name)
		}
	}
}

// TestNodesSharedBetweenPhasesEncodeAsTheirCopies: a blue-green plan whose
// phases hold the same node messages, as the Planner's do, in order, out of
// order and with a node missing, encodes to the bytes the reflection walk
// gives and has the ID of a copy whose nodes are all distinct messages, as
// a decoded plan's are, in every scheme: an encoder that reuses a node's
// bytes or a list's digest must keep it so.
func TestNodesSharedBetweenPhasesEncodeAsTheirCopies(t *testing.T) {
	t.Parallel()
	full := func(name string) *rebalancerv1.CandidateNode {
		c := &rebalancerv1.CandidateNode{}
		fill(c.ProtoReflect(), len(name))
		c.NodeName = name
		return c
	}
	a, b, c := full("a"), full("bb"), full("ccc")
	abc := []*rebalancerv1.CandidateNode{a, b, c}
	plans := map[string]*rebalancerv1.RebalancePlan{
		"in order":      batchesOf(abc, abc, abc),
		"out of order":  batchesOf(abc, []*rebalancerv1.CandidateNode{c, a, b}, []*rebalancerv1.CandidateNode{b, b, a}),
		"a node missed": batchesOf([]*rebalancerv1.CandidateNode{a, b}, []*rebalancerv1.CandidateNode{a, c, b}, []*rebalancerv1.CandidateNode{c, a}),
		"first phase repeats": batchesOf([]*rebalancerv1.CandidateNode{a, a, b}, []*rebalancerv1.CandidateNode{a, b},
			[]*rebalancerv1.CandidateNode{b, a}),
		"lists that start alike": batchesOf(abc, abc[:2], abc[:1]),
	}
	for _, scheme := range idSchemes {
		for name, p := range plans {
			require.Equal(t, reflectEncoding(t, scheme.rules, p), handEncoding(t, scheme.rules, p), "%s: %s", scheme.name, name)
			id, err := scheme.id(p)
			require.NoError(t, err)
			copied, err := scheme.id(proto.CloneOf(p))
			require.NoError(t, err)
			require.Equal(t, copied, id, "%s: %s", scheme.name, name)
		}
	}
}

// batchesOf is the blue-green fixture with a batch of each list of nodes,
// PROVISION, DRAIN, then TERMINATE.
func batchesOf(lists ...[]*rebalancerv1.CandidateNode) *rebalancerv1.RebalancePlan {
	p := blueGreenPlan()
	p.Batches = nil
	for i, nodes := range lists {
		phase := []rebalancerv1.BatchPhase{phaseProvision, phaseDrain, phaseTerminate}[min(i, 2)]
		p.Batches = append(p.Batches, &rebalancerv1.NodeBatch{BatchNumber: int32(i + 1), Phase: phase, Nodes: nodes})
	}
	return p
}
