package vpsiesim

import "log/slog"

// scheduleBoot makes v run after the boot delay. The caller holds s.mu.
//
// A fake clock runs timer functions while holding its own lock, and s.mu
// is held here while calling the clock; booting in a goroutine of its own
// keeps the two locks from ever being waited for in the opposite order.
func (s *Sim) scheduleBoot(v *vm) {
	v.boot = s.opts.Clock.AfterFunc(s.opts.BootDelay, func() { go s.boot(v) })
}

// boot marks v running and starts its join.
func (s *Sim) boot(v *vm) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.deleted || s.closed {
		return
	}
	v.state = stateRunning
	s.opts.Logger.Info("vm booted", slog.String("hostname", v.hostname), slog.String("identifier", v.identifier))
	if s.opts.Kube == nil {
		return
	}
	if s.neverJoins(v) {
		s.opts.Logger.Info("vm will never join (fault)", slog.String("hostname", v.hostname))
		return
	}
	if v.member == nil && !s.mayJoin(v.userData) {
		s.opts.Logger.Info("vm will never join: its user data lacks the join token", slog.String("hostname", v.hostname))
		return
	}
	s.joining.Add(1) // under s.mu and before closed is set: Close waits for it
	go s.join(v)
}
