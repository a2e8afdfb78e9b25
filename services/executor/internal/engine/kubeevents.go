package engine

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	kubeevents "k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// KubeStory tells an execution's story where `kubectl describe` reads it:
// events.k8s.io/v1 Events on the NodeGroup and on the old nodes, a few
// per node (kubeevents_reasons.go), and the NodeGroup's conditions and
// member list, written at a pace (conditions.go). It mirrors
// the progress events after they are persisted, in their order, on one
// goroutine of its own: the cluster being slow or refusing a write never
// holds an execution up, and a lost Event costs an operator a line, not a
// step (the progress stream stays the record).
//
// Events go through client-go's events recorder rather than a writer of
// our own: it writes asynchronously, retries transport errors, and folds
// repeats (an eviction refused every few seconds) into one Event with a
// series count, as the kubelet and the scheduler do; the API server would
// otherwise keep hundreds of copies.
type KubeStory struct {
	recorder     kubeevents.EventRecorder
	groups       autoscaler.Interface
	reads        autoscaler.Interface
	kube         kubernetes.Interface
	installation string
	logger       *slog.Logger
	clock        clock.WithTicker
	statusEvery  time.Duration
	queue        chan *rebalancerv1.ExecutionEvent
	done         chan struct{}
	stopOnce     sync.Once
	stopRecorder func()
	// The rest is the run goroutine's alone.

	// refs are the NodeGroup references of executions being told, read
	// once per execution rather than once per Event (a group's identity
	// does not change under an execution: its guards stop one whose group
	// was recreated).
	refs map[string]*corev1.ObjectReference
	// steps counts, per old node, the steps told without an Event, for
	// the node's last Event to sum up.
	steps map[nodeKey]*nodeSteps
	// pending and written coalesce the status writes (conditions.go).
	pending map[groupKey]*statusChange
	written map[groupKey]time.Time
}

// StoryOption tunes a KubeStory.
type StoryOption func(*KubeStory)

// StoryReads makes the story read NodeGroups (for their Events'
// references) from groups, a watch-fed cache (GroupCache), rather than
// the cluster. Its status writes still read live: they write back what
// they read, resourceVersion and all.
func StoryReads(groups autoscaler.Interface) StoryOption {
	return func(s *KubeStory) { s.reads = groups }
}

// storyClock sets the clock the status writes are paced by (tests).
func storyClock(c clock.WithTicker) StoryOption {
	return func(s *KubeStory) { s.clock = c }
}

// storyQueue bounds the events waiting to be mirrored; past it they are
// dropped (and logged) rather than slowing an execution.
const storyQueue = 1024

// maxStoryRefs bounds the group references kept: an execution taken over
// by another replica never sends its final Event here. It bounds the
// other maps of the story too.
const maxStoryRefs = 256

// reportingController names the Executor in the Events it writes.
const reportingController = "autoscaler.vpsie.io/rebalancer-executor"

// NewKubeStory starts the writer of the Events and conditions of the
// installation's executions; Stop ends it.
func NewKubeStory(kube kubernetes.Interface, groups autoscaler.Interface, installation string, logger *slog.Logger,
	opts ...StoryOption) *KubeStory {
	b := kubeevents.NewBroadcaster(&kubeevents.EventSinkImpl{Interface: kube.EventsV1()})
	stop := make(chan struct{})
	b.StartRecordingToSink(stop)
	s := newKubeStory(b.NewRecorder(scheme.Scheme, reportingController), kube, groups, installation, logger,
		append(opts, func(s *KubeStory) { s.stopRecorder = func() { close(stop); b.Shutdown() } })...)
	return s
}

// newKubeStory starts a story told through recorder.
func newKubeStory(recorder kubeevents.EventRecorder, kube kubernetes.Interface, groups autoscaler.Interface,
	installation string, logger *slog.Logger, opts ...StoryOption) *KubeStory {
	s := &KubeStory{recorder: recorder, groups: groups, reads: groups, kube: kube,
		installation: cmp.Or(installation, DefaultInstallation), logger: logger,
		clock: clock.RealClock{}, statusEvery: statusEvery,
		queue: make(chan *rebalancerv1.ExecutionEvent, storyQueue), done: make(chan struct{}), stopRecorder: func() {},
		refs: map[string]*corev1.ObjectReference{}, steps: map[nodeKey]*nodeSteps{},
		pending: map[groupKey]*statusChange{}, written: map[groupKey]time.Time{}}
	for _, o := range opts {
		o(s)
	}
	go s.run()
	return s
}

// Mirror queues ev to be told; a nil story tells nothing (unit tests).
func (s *KubeStory) Mirror(ev *rebalancerv1.ExecutionEvent) {
	if s == nil {
		return
	}
	select {
	case s.queue <- ev:
	default:
		s.logger.Warn("Kubernetes Event dropped: too many waiting", "execution", ev.GetExecutionId(), "event", ev.GetKind().String())
	}
}

// Note writes one Event about what the Executor did outside an
// execution (the reconciler's orphan actions); a nil story writes nothing.
// The recorder writes it asynchronously, so it never holds its caller up.
func (s *KubeStory) Note(regarding, related *corev1.ObjectReference, eventType, reason, action, note string) {
	if s == nil {
		return
	}
	if related == nil { // a typed nil would read as an object
		s.recorder.Eventf(regarding, nil, eventType, reason, action, "%s", truncateNote(note))
		return
	}
	s.recorder.Eventf(regarding, related, eventType, reason, action, "%s", truncateNote(note))
}

// Stop tells what is queued, writes the status changes waiting, then stops.
func (s *KubeStory) Stop() {
	if s == nil {
		return
	}
	s.stopOnce.Do(func() {
		close(s.queue)
		<-s.done
		s.stopRecorder()
	})
}

func (s *KubeStory) run() {
	defer close(s.done)
	// Looked at twice per statusEvery, so a change waits at most that
	// long and a half beyond the group's last write.
	tick := s.clock.NewTicker(s.statusEvery / 2)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-s.queue:
			if !ok {
				s.flushStatus(true)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.tell(ctx, ev)
			cancel()
		case <-tick.C():
			s.flushStatus(false)
		}
	}
}

// tell writes ev's Events and notes what it changes of the group's status.
func (s *KubeStory) tell(ctx context.Context, ev *rebalancerv1.ExecutionEvent) {
	note := truncateNote(s.tally(ev))
	r, ok := reasonFor(ev)
	if !ok {
		return
	}
	if r.on != onNone {
		s.writeEvents(ctx, ev, r, note)
	}
	s.noteStatus(ctx, ev, r)
	if isFinalKind(ev.GetKind()) {
		s.forget(ev.GetExecutionId())
	}
}

// writeEvents writes ev's Event where r says: on the group (about the old
// node when there is one), on the old node and on its replacement (about
// the group).
func (s *KubeStory) writeEvents(ctx context.Context, ev *rebalancerv1.ExecutionEvent, r kubeReason, note string) {
	group, err := s.groupOf(ctx, ev)
	if err != nil {
		s.logger.Warn("NodeGroup not read; its Event is not written", "group", ev.GetNamespace()+"/"+ev.GetNodeGroup(), "error", err)
		return
	}
	action := actionOf(ev.GetKind())
	old := ev.GetNodeName()
	if r.on&onGroup != 0 {
		if old != "" {
			s.recorder.Eventf(group, nodeRef(old), r.eventType, r.reason, action, "%s", note)
		} else {
			s.recorder.Eventf(group, nil, r.eventType, r.reason, action, "%s", note)
		}
	}
	if r.on&onOldNode != 0 && old != "" {
		s.recorder.Eventf(nodeRef(old), group, r.eventType, r.reason, action, "%s", note)
	}
	if n := ev.GetDetails()["node"]; r.on&onNewNode != 0 && n != "" && n != old {
		s.recorder.Eventf(nodeRef(n), group, r.eventType, r.reason, action, "%s", note)
	}
}

// groupOf is the reference of ev's NodeGroup, read at the execution's
// first Event (from the cache, with StoryReads) and forgotten at its last.
func (s *KubeStory) groupOf(ctx context.Context, ev *rebalancerv1.ExecutionEvent) (*corev1.ObjectReference, error) {
	id := ev.GetExecutionId()
	ref, ok := s.refs[id]
	if !ok {
		ng, err := s.reads.NodeGroups(ev.GetNamespace()).Get(ctx, ev.GetNodeGroup(), metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		ref = groupRef(ng)
		if len(s.refs) >= maxStoryRefs {
			clear(s.refs) // executions another replica finished: read again if told again
		}
		s.refs[id] = ref
	}
	return ref, nil
}

// forget drops what the story keeps of an execution that ended.
func (s *KubeStory) forget(id string) {
	delete(s.refs, id)
	for k := range s.steps {
		if k.execution == id {
			delete(s.steps, k)
		}
	}
}

func groupRef(ng *v1alpha1.NodeGroup) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: v1alpha1.GroupVersion.String(), Kind: "NodeGroup",
		Namespace: ng.Namespace, Name: ng.Name, UID: ng.UID}
}

// nodeRef names a node as the kubelet does in its Events (UID = name),
// which is what `kubectl describe node` looks for.
func nodeRef(name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Node", Name: name, UID: types.UID(name)}
}

// actionOf is the Event's action: the progress event's kind, in words
// (events.k8s.io requires one).
func actionOf(kind rebalancerv1.EventKind) string {
	return kind.String()[len("EVENT_KIND_"):]
}

// maxNote is the longest note events.k8s.io accepts.
const maxNote = 1024

func truncateNote(s string) string {
	if len(s) <= maxNote {
		return s
	}
	return strings.ToValidUTF8(s[:maxNote-3], "") + "..."
}
