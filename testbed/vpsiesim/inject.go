package vpsiesim

import (
	"context"
	"slices"
	"time"
)

// injection is what the faults decided for one call.
type injection struct {
	status      int  // an injected error status; 0 for none
	afterEffect bool // the error strikes after the work is done
	as200       bool // errors go out with HTTP 200
	retryAfter  int  // seconds, for 429 and 503
	latency     time.Duration
}

var defaultStatuses = []int{500, 502, 503, 429}

// decide rolls the dice for one call of endpoint. mutating endpoints may
// fail after their effect.
func (s *Sim) decide(endpoint string, mutating bool) injection {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := endpoint
	f, ok := s.faults.Endpoints[key]
	if !ok {
		key = EndpointAll
		if f, ok = s.faults.Endpoints[key]; !ok {
			return injection{}
		}
	}
	in := injection{as200: f.ErrorsAsHTTP200, retryAfter: f.RetryAfterSeconds, latency: f.Latency.Duration}
	switch {
	case f.Burst429 > 0:
		f.Burst429--
		s.faults.Endpoints[key] = f
		in.status = 429
	case f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate:
		statuses := f.Statuses
		if len(statuses) == 0 {
			statuses = defaultStatuses
		}
		in.status = statuses[s.rng.IntN(len(statuses))]
		in.afterEffect = mutating && in.status >= 500 && s.rng.Float64() < f.AfterEffectRate
	}
	if in.status != 0 {
		s.stats.InjectedErrors++
	}
	return in
}

// unavailable reports whether a fault withdrew the offering from the
// datacenter. The caller holds s.mu.
func (s *Sim) unavailable(dcID, offeringID string) bool {
	return slices.Contains(s.faults.Unavailable, Placement{Datacenter: dcID, Offering: offeringID})
}

// neverJoins reports whether a fault keeps v out of the cluster: its
// hostname, or its managed group's name, is listed. The caller holds s.mu.
func (s *Sim) neverJoins(v *vm) bool {
	return slices.Contains(s.faults.NeverJoin, v.hostname) ||
		(v.member != nil && slices.Contains(s.faults.NeverJoinGroups, v.member.group.name))
}

// pause waits d, or until the caller hangs up.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
