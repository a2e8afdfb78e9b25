// Package client is a typed client for the autoscaler.vpsie.io API, built on
// client-go's generic REST client the way generated clientsets are, so it
// behaves like them (watch, field selectors, status subresource).
package client

import (
	"context"
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Interface gives access to each resource of the API group.
type Interface interface {
	NodeGroups(namespace string) NodeGroupInterface
}

// NodeGroupInterface reads and writes NodeGroups of one namespace.
type NodeGroupInterface interface {
	Create(ctx context.Context, ng *v1alpha1.NodeGroup, opts metav1.CreateOptions) (*v1alpha1.NodeGroup, error)
	Update(ctx context.Context, ng *v1alpha1.NodeGroup, opts metav1.UpdateOptions) (*v1alpha1.NodeGroup, error)
	// UpdateStatus writes only .status, through the status subresource.
	UpdateStatus(ctx context.Context, ng *v1alpha1.NodeGroup, opts metav1.UpdateOptions) (*v1alpha1.NodeGroup, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*v1alpha1.NodeGroup, error)
	List(ctx context.Context, opts metav1.ListOptions) (*v1alpha1.NodeGroupList, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (*v1alpha1.NodeGroup, error)
}

// Scheme knows the group's types; Codecs encodes and decodes them.
var (
	Scheme = runtime.NewScheme()
	Codecs = serializer.NewCodecFactory(Scheme)
)

func init() {
	metav1.AddToGroupVersion(Scheme, metav1.SchemeGroupVersion)
	if err := v1alpha1.AddToScheme(Scheme); err != nil {
		panic(err) // only a programming error in this package can get here
	}
}

// Clientset implements Interface over a REST client.
type Clientset struct {
	rest rest.Interface
}

var _ Interface = (*Clientset)(nil)

// NewForConfig returns a client for the cluster c points at.
func NewForConfig(c *rest.Config) (*Clientset, error) {
	httpClient, err := rest.HTTPClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("autoscaler client: %w", err)
	}
	return NewForConfigAndClient(c, httpClient)
}

// NewForConfigAndClient is NewForConfig sharing an HTTP client (and so its
// connections) with other clients of the same cluster.
func NewForConfigAndClient(c *rest.Config, h *http.Client) (*Clientset, error) {
	config := *c
	config.GroupVersion = &v1alpha1.GroupVersion
	config.APIPath = "/apis"
	config.NegotiatedSerializer = Codecs.WithoutConversion()
	if config.UserAgent == "" {
		config.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	restClient, err := rest.RESTClientForConfigAndClient(&config, h)
	if err != nil {
		return nil, fmt.Errorf("autoscaler client: %w", err)
	}
	return &Clientset{rest: restClient}, nil
}

// NodeGroups returns the NodeGroups of a namespace.
func (c *Clientset) NodeGroups(namespace string) NodeGroupInterface {
	return gentype.NewClientWithList(
		v1alpha1.NodeGroupResource.Resource, c.rest, runtime.NewParameterCodec(Scheme), namespace,
		func() *v1alpha1.NodeGroup { return &v1alpha1.NodeGroup{} },
		func() *v1alpha1.NodeGroupList { return &v1alpha1.NodeGroupList{} },
	)
}
