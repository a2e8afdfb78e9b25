package progress_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// dnsName is what the Executor puts in an event's names.
var dnsName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

// FuzzDecode reads any message body as an event, as watchers and the
// rollback handler do: Decode never panics; an event it reads encodes and
// reads back equal (decode-then-encode is stable); and an event whose
// names are Kubernetes names gets a subject of exactly six tokens.
func FuzzDecode(f *testing.F) {
	for _, ev := range []*rebalancerv1.ExecutionEvent{
		event(1, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED),
		event(7, rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED),
		{ExecutionId: "exec-2", PlanId: "plan-2", NodeGroup: "web", Namespace: "shop", Sequence: 3,
			Time: timestamppb.New(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)), Kind: rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED,
			NodeName: "web-1", BatchNumber: 2, ProgressPercent: 100, Details: map[string]string{"vm": "vm-1", "pods": "3"}},
		{},
	} {
		b, err := progress.Encode(ev)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := progress.Decode(b)
		if err != nil {
			require.Nil(t, ev)
			return
		}
		enc, err := progress.Encode(ev)
		require.NoError(t, err)
		back, err := progress.Decode(enc)
		require.NoError(t, err)
		require.True(t, proto.Equal(ev, back), "decode, encode, decode gives the same event")
		require.Equal(t, progress.Final(ev), progress.Final(back))

		if dnsName.MatchString(ev.GetNamespace()) && dnsName.MatchString(ev.GetNodeGroup()) && dnsName.MatchString(ev.GetExecutionId()) {
			tokens := strings.Split(progress.Subject(ev), ".")
			require.Len(t, tokens, 6, progress.Subject(ev))
			for _, tok := range tokens {
				require.NotEmpty(t, tok)
			}
		}
	})
}
