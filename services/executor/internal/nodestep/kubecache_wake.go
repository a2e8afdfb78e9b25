package nodestep

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// kind is a kind of object the informers of KubeCache watch.
type kind int

const (
	nodeKind kind = iota
	podKind
	pdbKind
	replicaSetKind
	deploymentKind
	statefulSetKind
)

// change is what a wait wakes on: an object of kind added, updated or
// deleted that match accepts (nil: any). match runs on the informer's
// goroutine and must not block.
type change struct {
	kind  kind
	match func(obj any) bool
}

// hub hands the informers' events to the waits listening.
type hub struct {
	mu        sync.Mutex
	listeners map[*listener]struct{}
}

// listener is one wait's ear: ch holds one wake-up (more before the wait
// takes it are one), fired which of its changes happened since it last
// looked.
type listener struct {
	changes []change
	fired   []atomic.Bool
	ch      chan struct{}
}

func (h *hub) add(cs []change) *listener {
	l := &listener{changes: cs, fired: make([]atomic.Bool, len(cs)), ch: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listeners == nil {
		h.listeners = map[*listener]struct{}{}
	}
	h.listeners[l] = struct{}{}
	return l
}

func (h *hub) remove(l *listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.listeners, l)
}

func (h *hub) notify(k kind, obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for l := range h.listeners {
		for i, c := range l.changes {
			if c.kind != k || (c.match != nil && !c.match(obj)) {
				continue
			}
			l.fired[i].Store(true)
			select {
			case l.ch <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
	}
}

// watchEvents hands every event of the informers to the hub; the pods'
// also tell which pods the process deleted the informer has caught up on.
func (k *KubeCache) watchEvents(f informers.SharedInformerFactory) {
	on := func(inf cache.SharedIndexInformer, kd kind, seen func(obj any, deleted bool)) {
		// Registering on an informer not started yet cannot fail.
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { seen(obj, false); k.hub.notify(kd, obj) },
			UpdateFunc: func(_, obj any) { seen(obj, false); k.hub.notify(kd, obj) },
			DeleteFunc: func(obj any) {
				if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
					obj = t.Obj
				}
				seen(obj, true)
				k.hub.notify(kd, obj)
			},
		})
	}
	none := func(any, bool) {}
	on(k.nodes, nodeKind, none)
	on(k.pods, podKind, func(obj any, deleted bool) {
		if p, ok := obj.(*corev1.Pod); ok {
			k.podSeen(p, deleted)
		}
	})
	on(f.Policy().V1().PodDisruptionBudgets().Informer(), pdbKind, none)
	on(f.Apps().V1().ReplicaSets().Informer(), replicaSetKind, none)
	on(f.Apps().V1().Deployments().Informer(), deploymentKind, none)
	on(f.Apps().V1().StatefulSets().Informer(), statefulSetKind, none)
	// DaemonSets are only looked up (do they exist): no wait wakes on them.
	f.Apps().V1().DaemonSets().Informer()
}

// waker lets a wait sleep until one of the changes it listens to
// happened, or its interval passed. Over a live Kube (no events) it is a
// plain sleep.
type waker struct {
	e *Env
	l *listener // nil over a live Kube
}

// listen starts listening to cs. Call it before reading what the wait
// looks at, so a change between the read and the wait still wakes it;
// stop it when done.
func (e *Env) listen(cs ...change) *waker {
	w := &waker{e: e}
	if c, ok := e.Kube.(*KubeCache); ok {
		w.l = c.hub.add(cs)
	}
	return w
}

func (w *waker) stop() {
	if c, ok := w.e.Kube.(*KubeCache); ok && w.l != nil {
		c.hub.remove(w.l)
	}
}

// events says whether the wait wakes on events (over a KubeCache).
func (w *waker) events() bool { return w.l != nil }

// wait sleeps d on the clock, or until a change listened to happened, or
// ctx ended.
func (w *waker) wait(ctx context.Context, d time.Duration) error {
	t := w.e.Clock.NewTimer(d)
	defer t.Stop()
	var ch <-chan struct{}
	if w.l != nil {
		ch = w.l.ch
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	case <-ch:
		return nil
	}
}

// fired says whether change i of the listen happened since it was last
// asked, and forgets it.
func (w *waker) fired(i int) bool { return w.l != nil && w.l.fired[i].Swap(false) }

// poll is how long a wait that checks again sleeps: Pace.Poll over a live
// Kube, Pace.Fallback over the caches, whose events wake it first (the
// fallback guards an event missed or a condition no event tells, like a
// deadline).
func (w *waker) poll() time.Duration {
	if w.events() {
		return w.e.Pace.fallback()
	}
	return w.e.Pace.Poll
}
