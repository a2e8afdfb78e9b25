// Package fake is an in-memory client.Interface for unit tests of code that
// only reads and writes NodeGroups. Anything that depends on what the API
// server enforces (schema validation, defaults, the status subresource)
// belongs in a test against the sandbox instead.
package fake

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Clientset records every action in Fake (Actions(), PrependReactor to
// inject errors) and keeps objects in an object tracker.
type Clientset struct {
	testing.Fake
	tracker testing.ObjectTracker
}

var _ client.Interface = (*Clientset)(nil)

// NewClientset returns a Clientset holding objects.
func NewClientset(objects ...runtime.Object) *Clientset {
	tracker := testing.NewObjectTracker(client.Scheme, client.Codecs.UniversalDecoder())
	for _, obj := range objects {
		if err := tracker.Add(obj); err != nil {
			panic(err) // a test passed an object of a kind we do not know
		}
	}
	cs := &Clientset{tracker: tracker}
	cs.AddReactor("*", "*", testing.ObjectReaction(tracker))
	cs.AddWatchReactor("*", func(action testing.Action) (bool, watch.Interface, error) {
		w, err := tracker.Watch(action.GetResource(), action.GetNamespace())
		return err == nil, w, err
	})
	return cs
}

// IsWatchListSemanticsUnSupported tells informers' reflectors to list then
// watch: the object tracker cannot stream a watch-list.
func (c *Clientset) IsWatchListSemanticsUnSupported() bool { return true }

// Tracker gives direct access to the stored objects.
func (c *Clientset) Tracker() testing.ObjectTracker { return c.tracker }

// NodeGroups returns the NodeGroups of a namespace.
func (c *Clientset) NodeGroups(namespace string) client.NodeGroupInterface {
	return gentype.NewFakeClientWithList(
		&c.Fake, namespace, v1alpha1.NodeGroupResource, v1alpha1.GroupVersion.WithKind("NodeGroup"),
		func() *v1alpha1.NodeGroup { return &v1alpha1.NodeGroup{} },
		func() *v1alpha1.NodeGroupList { return &v1alpha1.NodeGroupList{} },
		func(dst, src *v1alpha1.NodeGroupList) { dst.ListMeta = src.ListMeta },
		func(list *v1alpha1.NodeGroupList) []*v1alpha1.NodeGroup { return gentype.ToPointerSlice(list.Items) },
		func(list *v1alpha1.NodeGroupList, items []*v1alpha1.NodeGroup) {
			list.Items = gentype.FromPointerSlice(items)
		},
	)
}
