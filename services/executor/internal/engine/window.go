package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// When the group's maintenance window closes (or its peak hours begin)
// the batches in progress finish, no batch starts, and the execution
// pauses itself: PAUSED with pause_reason WINDOW_CLOSED, resume_at the
// next instant the group's live schedule lets a batch start, a status
// message and an EXECUTION_PAUSED event saying so, the lease released. It
// resumes by itself at resume_at: the replica that paused it waits on a
// timer of the engine's clock (wakeAt), and every replica's scan takes a
// self-paused execution whose resume_at has passed (takes, resumeDue), so
// the resumption survives the restart or death of that replica. The
// replica that takes it holds it to the live guards again: a schedule
// that moved pauses it anew, a disabled group or a vanished node fails it.

// windowRecheck is when a self-paused execution looks again at a schedule
// that allows no start within window.Horizon, or cannot be read.
const windowRecheck = time.Hour

// windowClosed is a batch that did not start because the group's schedule
// does not allow it now: the execution pauses once the batches in
// progress finished (unless one of them failed).
type windowClosed struct{ refusal *accept.Refusal }

func (w *windowClosed) Error() string { return "paused for the schedule: " + w.refusal.Reason }
func (w *windowClosed) Unwrap() error { return w.refusal }

// pauseForWindow pauses the execution until the group's schedule lets a
// batch start, unless an operator asked to pause or cancel meanwhile,
// which comes first.
func (x *execution) pauseForWindow(ctx context.Context, r *accept.Refusal) error {
	if c := x.control(); c.Cancel {
		return x.cancelToEnd(ctx)
	} else if c.Pause {
		return x.pause(ctx)
	}
	resumeAt, then := r.NextRun, "It resumes by itself then"
	if resumeAt.IsZero() {
		resumeAt = x.now().Add(windowRecheck)
		then = "It looks at the schedule again at " + resumeAt.UTC().Format(time.RFC3339)
	}
	message := fmt.Sprintf("Paused at a batch boundary: %s. %s", r.Reason, then)
	if err := x.update(ctx, func(rec *store.Record) {
		rec.State.Status, rec.Control = paused, store.Control{}
		rec.State.PauseReason = rebalancerv1.PauseReason_PAUSE_REASON_WINDOW_CLOSED
		rec.State.ResumeAt, rec.State.StatusMessage = timestamppb.New(resumeAt), message
	}); err != nil {
		return err
	}
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED, "", 0,
		map[string]string{"pause_reason": "WINDOW_CLOSED", "resume_at": resumeAt.UTC().Format(time.RFC3339)}, "%s", message); err != nil {
		return err
	}
	return x.release(ctx)
}

// resumeDue reports whether r paused itself for the schedule and the time
// to look again has come.
func resumeDue(r *store.Record, now time.Time) bool {
	s := r.State
	return s.GetStatus() == paused && s.GetPauseReason() == rebalancerv1.PauseReason_PAUSE_REASON_WINDOW_CLOSED &&
		!r.Control.Cancel && (s.GetResumeAt() == nil || !now.Before(s.GetResumeAt().AsTime()))
}

// resumeBySchedule continues a self-paused execution whose time came,
// once its live guards pass; a schedule that still allows nothing pauses
// it again, until the new time.
func (x *execution) resumeBySchedule(ctx context.Context) error {
	if err := x.guard(ctx, true, nil); err != nil {
		return x.meet(ctx, err)
	}
	if err := x.resumed(ctx, "SCHEDULE", "Resumed by itself: the group's schedule allows batches to start again"); err != nil {
		return err
	}
	return x.proceed(ctx)
}

// resumed records the execution going on after a pause (RUNNING, or
// PENDING when it had not started) and says so.
func (x *execution) resumed(ctx context.Context, by, message string) error {
	if err := x.update(ctx, func(r *store.Record) { clearPause(r) }); err != nil {
		return err
	}
	return x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED, "", 0, map[string]string{"resumed_by": by}, "%s", message)
}

// clearPause ends r's pause: RUNNING, or PENDING when it had not started.
func clearPause(r *store.Record) {
	r.State.Status, r.Control = running, store.Control{}
	if r.State.GetStartedAt() == nil {
		r.State.Status = pending
	}
	r.State.PauseReason, r.State.ResumeAt, r.State.StatusMessage = rebalancerv1.PauseReason_PAUSE_REASON_UNSPECIFIED, nil, ""
}

// wakeAt takes execution id up at at, if it is still paused for the
// schedule then and nobody took it first. The wait ends with the
// executor; the scan covers a replica that stopped.
func (e *Executor) wakeAt(id string, at time.Time) {
	e.wg.Go(func() {
		t := e.deps.Clock.NewTimer(max(at.Sub(e.deps.Clock.Now()), 0))
		defer t.Stop()
		select {
		case <-e.ctx.Done():
			return
		case <-t.C():
		}
		rec, err := e.deps.Store.Get(e.ctx, id)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) && e.ctx.Err() == nil {
				e.deps.Logger.Warn("self-paused execution not read at its time; the scan takes it up", "execution", id, "error", err)
			}
			return
		}
		if e.takes(rec) && rec.Lease.ClaimableBy(e.deps.Replica, e.deps.Clock.Now()) {
			e.claimAndLaunch(e.ctx, rec)
		}
	})
}
