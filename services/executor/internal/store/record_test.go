package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// A replica of the version that embedded the plan cannot read a record
// naming its plan's key: it fails to decode it (as it would a damaged
// record) and leaves the execution alone, instead of reading an empty
// plan and abandoning the execution as altered.
func TestAnEarlierVersionRefusesARecordNamingItsPlan(t *testing.T) {
	t.Parallel()
	data, err := fuzzRecord().encode()
	require.NoError(t, err)
	var earlier struct {
		Plan []byte `json:"plan"`
	}
	require.Error(t, json.Unmarshal(data, &earlier))
}

// A copy shares the plan, which never changes, and copies the rest.
func TestCloneSharesOnlyThePlan(t *testing.T) {
	t.Parallel()
	r := fuzzRecord()
	c := r.Clone()
	require.Same(t, r.Plan, c.Plan)
	c.State.Status++
	c.Outbox[0].Event[0] = 'x'
	c.Book.NodeBook("web-1").ProvisionAttempts++
	requireSameRecord(t, fuzzRecord(), r)
}
