package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// An operator's call answered by a replica whose roles do not cover what
// the execution needs next leaves it, lease released, to a replica that
// does: an approval taken by a rollback-only replica, a rollback taken by
// an executor-only one. A replica with the role claims it at its scan.
func TestAnOperatorsCallOnTheWrongRoleIsHandedOff(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		from, want status
		roles      Roles
		call       func(e *Executor) error
	}{
		"approved on a rollback-only replica": {from: awaitingApproval, want: pending, roles: Roles{Rollback: true},
			call: func(e *Executor) error { _, err := e.Approve(t.Context(), "exec-1", "alice"); return err }},
		"rolled back on an executor-only replica": {from: failed, want: rollingBack, roles: Roles{Execute: true},
			call: func(e *Executor) error { _, err := e.Rollback(t.Context(), "exec-1", "undo"); return err }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newReplicas(t)
			r.write(t, func(rec *store.Record) {
				rec.State.Status, rec.Lease = tc.from, store.Lease{}
			})
			e := r.replica(t, "c", tc.roles)
			require.NoError(t, tc.call(e))

			rec, err := r.mem.Get(t.Context(), "exec-1")
			require.NoError(t, err)
			require.Equal(t, tc.want, rec.State.GetStatus())
			require.Empty(t, rec.Lease.Owner, "released for a replica with the role")
			require.False(t, e.runsHere("exec-1"))
			other := Roles{Execute: !tc.roles.Execute, Rollback: !tc.roles.Rollback}
			require.True(t, (&Executor{deps: Deps{Roles: other}}).takes(rec), "a replica with the role takes it")
		})
	}
}
