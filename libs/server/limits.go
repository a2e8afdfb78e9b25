package server

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/config"
	"github.com/vpsie/node-rebalancer/libs/identity"
)

// Limits bound what one caller or connection may take from a server.
// Zero fields take DefaultLimits' values.
type Limits struct {
	// MaxRecvMsgSize and MaxSendMsgSize bound one message, in bytes; a
	// larger request is refused with ResourceExhausted before it is read.
	MaxRecvMsgSize, MaxSendMsgSize int
	// MaxConcurrentStreams bounds the calls open at once on one
	// connection; further calls wait for one to end.
	MaxConcurrentStreams int
	// KeepaliveMinTime is the shortest interval between a client's pings;
	// a client pinging faster is disconnected (GOAWAY "too_many_pings").
	KeepaliveMinTime time.Duration
	// KeepalivePermitWithoutStream lets clients ping while no call is open.
	// It is a pointer so that false can be told from unset.
	KeepalivePermitWithoutStream *bool
	// KeepaliveTime is how long a connection stays quiet before the server
	// pings it; KeepaliveTimeout how long it then waits for the answer
	// before closing the connection (a client gone without a word).
	KeepaliveTime, KeepaliveTimeout time.Duration
	// MaxStreamsPerCaller bounds the server streams (WatchExecution) one
	// caller keeps open at once, per method; one more is refused with
	// ResourceExhausted.
	MaxStreamsPerCaller int
}

// DefaultLimits are the limits of a server whose Config leaves them zero,
// and the flags' defaults.
var DefaultLimits = Limits{
	MaxRecvMsgSize:               4 << 20,
	MaxSendMsgSize:               16 << 20,
	MaxConcurrentStreams:         100,
	KeepaliveMinTime:             20 * time.Second,
	KeepalivePermitWithoutStream: new(true),
	KeepaliveTime:                2 * time.Minute,
	KeepaliveTimeout:             20 * time.Second,
	MaxStreamsPerCaller:          16,
}

func (l *Limits) registerFlags(f *config.Flags) {
	d := DefaultLimits
	l.KeepalivePermitWithoutStream = new(bool)
	f.Int(&l.MaxRecvMsgSize, "max-recv-msg-size", d.MaxRecvMsgSize, "largest request message accepted, in bytes")
	f.Int(&l.MaxSendMsgSize, "max-send-msg-size", d.MaxSendMsgSize, "largest response message sent, in bytes")
	f.Int(&l.MaxConcurrentStreams, "max-concurrent-streams", d.MaxConcurrentStreams, "most calls open at once on one connection")
	f.Duration(&l.KeepaliveMinTime, "keepalive-min-time", d.KeepaliveMinTime, "shortest interval between a client's keepalive pings; faster clients are disconnected")
	f.Bool(l.KeepalivePermitWithoutStream, "keepalive-permit-without-stream", *d.KeepalivePermitWithoutStream, "let clients ping while no call is open")
	f.Duration(&l.KeepaliveTime, "keepalive-time", d.KeepaliveTime, "quiet time after which the server pings a connection")
	f.Duration(&l.KeepaliveTimeout, "keepalive-timeout", d.KeepaliveTimeout, "wait for a ping's answer before closing the connection")
	f.Int(&l.MaxStreamsPerCaller, "max-streams-per-caller", d.MaxStreamsPerCaller, "most streams (WatchExecution) one caller keeps open at once, per method")
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	pickD := func(v, def time.Duration) time.Duration {
		if v == 0 {
			return def
		}
		return v
	}
	l.MaxRecvMsgSize = pick(l.MaxRecvMsgSize, d.MaxRecvMsgSize)
	l.MaxSendMsgSize = pick(l.MaxSendMsgSize, d.MaxSendMsgSize)
	l.MaxConcurrentStreams = pick(l.MaxConcurrentStreams, d.MaxConcurrentStreams)
	l.MaxStreamsPerCaller = pick(l.MaxStreamsPerCaller, d.MaxStreamsPerCaller)
	l.KeepaliveMinTime = pickD(l.KeepaliveMinTime, d.KeepaliveMinTime)
	l.KeepaliveTime = pickD(l.KeepaliveTime, d.KeepaliveTime)
	l.KeepaliveTimeout = pickD(l.KeepaliveTimeout, d.KeepaliveTimeout)
	if l.KeepalivePermitWithoutStream == nil {
		l.KeepalivePermitWithoutStream = d.KeepalivePermitWithoutStream
	}
	return l
}

func (l Limits) check() error {
	for _, v := range []struct {
		flag string
		n    int
	}{
		{"--max-recv-msg-size", l.MaxRecvMsgSize}, {"--max-send-msg-size", l.MaxSendMsgSize},
		{"--max-concurrent-streams", l.MaxConcurrentStreams}, {"--max-streams-per-caller", l.MaxStreamsPerCaller},
	} {
		if v.n < 0 {
			return fmt.Errorf("%s must be positive, got %d", v.flag, v.n)
		}
	}
	if l.MaxConcurrentStreams > math.MaxUint32 {
		return errors.New("--max-concurrent-streams is too large")
	}
	for _, v := range []struct {
		flag string
		d    time.Duration
	}{{"--keepalive-min-time", l.KeepaliveMinTime}, {"--keepalive-time", l.KeepaliveTime}, {"--keepalive-timeout", l.KeepaliveTimeout}} {
		if v.d < 0 {
			return fmt.Errorf("%s must not be negative, got %s", v.flag, v.d)
		}
	}
	return nil
}

// serverOptions are the gRPC options enforcing l.
func (l Limits) serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(l.MaxRecvMsgSize),
		grpc.MaxSendMsgSize(l.MaxSendMsgSize),
		grpc.MaxConcurrentStreams(uint32(l.MaxConcurrentStreams)),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: l.KeepaliveMinTime, PermitWithoutStream: *l.KeepalivePermitWithoutStream,
		}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: l.KeepaliveTime, Timeout: l.KeepaliveTimeout}),
	}
}

// streamCap counts the open streams of each caller and method and refuses
// one beyond the limit. It runs after authentication, so the caller is
// known.
type streamCap struct {
	limit int
	mu    sync.Mutex
	open  map[string]int
}

// acquire takes a slot for id's stream of method, or refuses; release
// gives it back.
func (c *streamCap) acquire(id identity.Identity, method string) (release func(), err error) {
	k := id.Key() + "\x00" + method
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[k] >= c.limit {
		return nil, status.Errorf(codes.ResourceExhausted,
			"%s already has %d streams of %s open, the most allowed (--max-streams-per-caller): close one first",
			id, c.open[k], method)
	}
	if c.open == nil {
		c.open = map[string]int{}
	}
	c.open[k]++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.open[k]--; c.open[k] == 0 {
			delete(c.open, k)
		}
	}, nil
}
