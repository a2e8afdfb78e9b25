package plancheck

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// idDomainV2 starts the hashed bytes of a v2 ID, so they can never be
// taken for any other encoding of a plan.
const idDomainV2 = "rebalancer.v1.RebalancePlan/id-v2\x00"

// The v2 encoding is the protobuf wire format of the plan, written so it
// can be streamed into the hash without sizing messages first:
//
//   - fields in field-number order, proto3 defaults omitted (a float is
//     omitted only when its bits are all zero), plan_id, signature and
//     signing_key_id left out;
//   - a repeated scalar as one field per element (not packed);
//   - a message field as a group (start-group tag, its fields, its unknown
//     fields as decoded, end-group tag), except the messages a plan holds
//     few of (Opportunity, RebalancePolicy, SafetyCheck, Timestamp): those
//     as a length-delimited field holding their deterministic protobuf
//     encoding, unknown fields included;
//   - the plan's own unknown fields last.
//
// Groups and length prefixes keep the encoding unambiguous: two plans that
// differ in any field give different bytes. The bulk of a plan (batches,
// nodes, workloads, rollback steps, durations) is written by hand below;
// TestIDEncodingV2MatchesReflection holds it to a reflection walk of the
// same rules over every field, so a field added to the API without being
// added here fails the tests. Once released the encoding never changes: a
// change is a new scheme with a new ID prefix (id.go).

// idChunk is how much encoding collects before it is hashed: big enough
// that the hash runs on long inputs, small enough to stay in cache.
const idChunk = 32 << 10

// The encoder appends to a byte slice it passes along and gets back, the
// way protowire does, rather than storing it in a struct: a store of a
// slice through a pointer costs a GC write barrier while a collection
// runs, and CreatePlan allocates enough that one often does (a barrier a
// field was a fifth of CreatePlan's time at 10,000 nodes).

// idSink takes the encoding a chunk at a time.
type idSink struct {
	// hand takes a full chunk (hashes it, or in tests keeps it) and
	// returns the buffer to go on in.
	hand func(chunk []byte) []byte
	// scratch holds the deterministic encodings of delegated messages.
	scratch []byte
	// nodes writes a batch's nodes by digest, as v3 does; nil writes them
	// whole, as v2 does.
	nodes *nodeDigests
}

// flush hands b on once it fills a chunk and returns what to append to
// next; callers flush between messages, which are small next to a chunk.
func (k *idSink) flush(b []byte) []byte {
	if len(b) < idChunk {
		return b
	}
	return k.hand(b)
}

// newChunk is an empty buffer for a chunk and the message that overflows it.
func newChunk() []byte { return make([]byte, 0, idChunk+4<<10) }

// appendVarint is protowire.AppendVarint with the one-byte case, every
// tag and most lengths of a plan, inlined: the call was a sixth of the
// encoding's time.
func appendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

func appendTag(b []byte, n protowire.Number, t protowire.Type) []byte {
	return appendVarint(b, protowire.EncodeTag(n, t))
}

func appendStr(b []byte, n protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = appendTag(b, n, protowire.BytesType)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrs(b []byte, n protowire.Number, list []string) []byte {
	for _, s := range list {
		b = appendTag(b, n, protowire.BytesType)
		b = appendVarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// appendInt writes int32, int64, enum and bool fields: negative values as
// their 64-bit two's complement, as protobuf does.
func appendInt(b []byte, n protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = appendTag(b, n, protowire.VarintType)
	return appendVarint(b, uint64(v))
}

func appendInts(b []byte, n protowire.Number, list []int32) []byte {
	for _, v := range list {
		b = appendTag(b, n, protowire.VarintType)
		b = appendVarint(b, uint64(int64(v)))
	}
	return b
}

func appendBool(b []byte, n protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	return appendInt(b, n, 1)
}

func appendDouble(b []byte, n protowire.Number, f float64) []byte {
	bits := math.Float64bits(f)
	if bits == 0 {
		return b
	}
	b = appendTag(b, n, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, bits)
}

// appendEnd closes the group of m after its unknown fields. A nil m (a
// nil entry of a list, which only Go callers can make) is an empty
// message.
func appendEnd(b []byte, n protowire.Number, m proto.Message, isNil bool) []byte {
	if !isNil {
		b = append(b, m.ProtoReflect().GetUnknown()...)
	}
	return appendTag(b, n, protowire.EndGroupType)
}

// delegated appends m, one of the messages a plan holds few of, as its
// deterministic protobuf encoding; set false leaves it out, as unset.
func (k *idSink) delegated(b []byte, n protowire.Number, m proto.Message, set bool) ([]byte, error) {
	if !set {
		return b, nil
	}
	var err error
	k.scratch, err = proto.MarshalOptions{Deterministic: true}.MarshalAppend(k.scratch[:0], m)
	if err != nil {
		return b, err
	}
	b = appendTag(b, n, protowire.BytesType)
	return protowire.AppendBytes(b, k.scratch), nil
}

// encodeV2 appends idDomainV2 and p's v2 encoding to b, handing full
// chunks to hand, and returns the last, partial chunk.
func encodeV2(b []byte, hand func([]byte) []byte, p *rebalancerv1.RebalancePlan) ([]byte, error) {
	k := &idSink{hand: hand}
	b = append(b, idDomainV2...)
	b, err := k.plan(b, p)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return b, nil
}

func (k *idSink) plan(b []byte, p *rebalancerv1.RebalancePlan) ([]byte, error) {
	b = appendStr(b, 2, p.GetAnalysisId())
	b = appendStr(b, 3, p.GetNodeGroup())
	b = appendStr(b, 4, p.GetNamespace())
	b, err := k.delegated(b, 5, p.GetOpportunity(), p.GetOpportunity() != nil)
	if err != nil {
		return b, err
	}
	for _, batch := range p.GetBatches() {
		b = k.flush(k.batch(b, 6, batch))
	}
	b = appendInt(b, 7, int64(p.GetTotalNodes()))
	b = appendInt(b, 8, int64(p.GetStrategy()))
	b = appendInt(b, 9, int64(p.GetMaxConcurrent()))
	b = appendInt(b, 10, int64(p.GetMaxSurge()))
	b = appendInt(b, 11, int64(p.GetMinHealthyNodes()))
	b = appendInt(b, 12, int64(p.GetGroupSize()))
	if r := p.GetRollbackPlan(); r != nil {
		b = k.rollback(b, 13, r)
	}
	b = appendDuration(b, 14, p.GetEstimatedDuration())
	if b, err = k.delegated(b, 15, p.GetCreatedAt(), p.GetCreatedAt() != nil); err != nil {
		return b, err
	}
	b = appendBool(b, 16, p.GetRequiresApproval())
	if b, err = k.delegated(b, 17, p.GetPolicy(), p.GetPolicy() != nil); err != nil {
		return b, err
	}
	b = appendBool(b, 18, p.GetCanary())
	b = appendInt(b, 19, int64(p.GetReadyNodesAtStart()))
	b = appendStr(b, 20, p.GetNodeGroupUid())
	b = appendInt(b, 21, int64(p.GetAnalysisVerdict()))
	for _, c := range p.GetFailedChecks() {
		if b, err = k.delegated(b, 22, c, true); err != nil {
			return b, err
		}
	}
	// 23 signature and 24 signing_key_id are not content.
	b = appendDuration(b, 25, p.GetExpectedDuration())
	if p != nil {
		b = append(b, p.ProtoReflect().GetUnknown()...)
	}
	return b, nil
}

func (k *idSink) batch(b []byte, n protowire.Number, batch *rebalancerv1.NodeBatch) []byte {
	b = appendTag(b, n, protowire.StartGroupType)
	b = appendInt(b, 1, int64(batch.GetBatchNumber()))
	b = appendInt(b, 2, int64(batch.GetPhase()))
	if k.nodes != nil {
		b = k.nodes.appendDigest(b, 3, batch.GetNodes())
	} else {
		b = appendNodes(b, 3, batch.GetNodes())
	}
	b = appendDuration(b, 4, batch.GetEstimatedDuration())
	b = appendInts(b, 5, batch.GetDependsOn())
	b = appendDuration(b, 6, batch.GetSoakTime())
	return appendEnd(b, n, batch, batch == nil)
}

// appendNodes writes a list of nodes as field n, one group a node: in
// v2's encoding of a batch, and what v3 hashes a batch's nodes by.
func appendNodes(b []byte, n protowire.Number, nodes []*rebalancerv1.CandidateNode) []byte {
	for _, node := range nodes {
		b = appendNode(b, n, node)
	}
	return b
}

func appendNode(b []byte, n protowire.Number, c *rebalancerv1.CandidateNode) []byte {
	b = appendTag(b, n, protowire.StartGroupType)
	b = appendStr(b, 1, c.GetNodeName())
	b = appendStr(b, 2, c.GetVmIdentifier())
	b = appendStr(b, 3, c.GetCurrentOffering())
	b = appendStr(b, 4, c.GetTargetOffering())
	b = appendDuration(b, 5, c.GetAge())
	for _, w := range c.GetWorkloads() {
		b = appendWorkload(b, 6, w)
	}
	b = appendDouble(b, 7, c.GetPriorityScore())
	b = appendBool(b, 8, c.GetSafeToRebalance())
	b = appendStr(b, 9, c.GetReason())
	b = appendInt(b, 10, c.GetCurrentMonthlyPriceCents())
	b = appendInt(b, 11, c.GetTargetMonthlyPriceCents())
	return appendEnd(b, n, c, c == nil)
}

func appendWorkload(b []byte, n protowire.Number, w *rebalancerv1.Workload) []byte {
	b = appendTag(b, n, protowire.StartGroupType)
	b = appendStr(b, 1, w.GetNamespace())
	b = appendStr(b, 2, w.GetPodName())
	b = appendStr(b, 3, w.GetOwnerKind())
	b = appendStr(b, 4, w.GetOwnerName())
	b = appendInt(b, 5, int64(w.GetReplicas()))
	b = appendStrs(b, 6, w.GetPdbNames())
	b = appendBool(b, 7, w.GetHasLocalStorage())
	b = appendBool(b, 8, w.GetOptedOut())
	b = appendInt(b, 9, int64(w.GetPriority()))
	b = appendInt(b, 10, int64(w.GetDeletionCost()))
	b = appendInt(b, 11, w.GetCpuRequestMillis())
	b = appendInt(b, 12, w.GetMemoryRequestBytes())
	return appendEnd(b, n, w, w == nil)
}

func (k *idSink) rollback(b []byte, n protowire.Number, r *rebalancerv1.RollbackPlan) []byte {
	b = appendTag(b, n, protowire.StartGroupType)
	b = appendBool(b, 1, r.GetAutomatic())
	for _, s := range r.GetSteps() {
		b = appendTag(b, 2, protowire.StartGroupType)
		b = appendInt(b, 1, int64(s.GetOrder()))
		b = appendInt(b, 2, int64(s.GetAction()))
		b = appendStr(b, 3, s.GetNodeName())
		b = appendInt(b, 4, int64(s.GetBatchNumber()))
		b = appendStr(b, 5, s.GetDescription())
		b = k.flush(appendEnd(b, 2, s, s == nil))
	}
	return appendEnd(b, n, r, r == nil)
}

// appendDuration writes d as a group; nil is unset.
func appendDuration(b []byte, n protowire.Number, d *durationpb.Duration) []byte {
	if d == nil {
		return b
	}
	b = appendTag(b, n, protowire.StartGroupType)
	b = appendInt(b, 1, d.GetSeconds())
	b = appendInt(b, 2, int64(d.GetNanos()))
	return appendEnd(b, n, d, false)
}
