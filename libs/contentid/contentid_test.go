package contentid

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestSameContentSameIDOtherContentOtherID(t *testing.T) {
	t.Parallel()
	a, err := structpb.NewStruct(map[string]any{"b": 1, "a": "x", "c": []any{1, 2}})
	require.NoError(t, err)
	b, err := structpb.NewStruct(map[string]any{"c": []any{1, 2}, "a": "x", "b": 1})
	require.NoError(t, err)
	idA, err := Of("plan", a)
	require.NoError(t, err)
	idB, err := Of("plan", b)
	require.NoError(t, err)
	require.Equal(t, idA, idB, "map order must not matter")
	require.Regexp(t, `^plan-[0-9a-f]{20}$`, idA)

	b.Fields["a"] = structpb.NewStringValue("y")
	idC, err := Of("plan", b)
	require.NoError(t, err)
	require.NotEqual(t, idA, idC)
}
