package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/cache"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/identity"
)

// The Kubernetes resource every call is authorized on: the rebalance
// subresource of a NodeGroup. RBAC rules name it as
// {apiGroups: [autoscaler.vpsie.io], resources: [nodegroups/rebalance]}.
const (
	RebalanceAPIGroup    = "autoscaler.vpsie.io"
	RebalanceResource    = "nodegroups"
	RebalanceSubresource = "rebalance"
)

// The verbs of the rebalance subresource.
const (
	VerbGet     = "get"     // read: analyze, plan, validate, get, list, watch
	VerbCreate  = "create"  // start an execution
	VerbApprove = "approve" // release an execution awaiting approval
	VerbUpdate  = "update"  // pause, resume, cancel, roll back
)

// Attributes are what one call asks to do: Verb on the rebalance
// subresource of the NodeGroup Group in Namespace. An empty Namespace asks
// for every namespace (a cluster-wide grant), an empty Group for every
// group of the namespace.
type Attributes struct {
	Verb, Namespace, Group string
}

// AccessRule gives the attributes of a call from its request. An error
// ends the call as it is (give it a gRPC status).
type AccessRule func(ctx context.Context, req any) (Attributes, error)

// AccessTable is a service's rules by method name ("ExecutePlan"). Every
// method of a registered service needs one: a server with auth on refuses
// to start otherwise.
type AccessTable map[string]AccessRule

// authorizer asks the cluster's RBAC (a SubjectAccessReview) whether the
// caller may make a call, through a cache of recent answers.
type authorizer struct {
	reviews Reviewer
	logger  *slog.Logger
	ttl     time.Duration
	answers *cache.LRUExpireCache

	mu     sync.RWMutex
	tables map[string]AccessTable
}

func newAuthorizer(reviews Reviewer, logger *slog.Logger, ttl time.Duration, size int) *authorizer {
	return &authorizer{reviews: reviews, logger: logger, ttl: ttl, answers: cache.NewLRUExpireCache(size),
		tables: map[string]AccessTable{}}
}

func (z *authorizer) set(service string, table AccessTable) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.tables[service] = table
}

func (z *authorizer) rule(service, method string) AccessRule {
	z.mu.RLock()
	defer z.mu.RUnlock()
	return z.tables[service][method]
}

// missing lists the methods of services without a rule.
func (z *authorizer) missing(services map[string][]string) []string {
	z.mu.RLock()
	defer z.mu.RUnlock()
	var out []string
	for service, methods := range services {
		for _, m := range methods {
			if z.tables[service][m] == nil {
				out = append(out, service+"/"+m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// authorize answers nil when id may call fullMethod with req, else
// PermissionDenied naming the caller, verb, resource and namespace.
func (z *authorizer) authorize(ctx context.Context, id identity.Identity, fullMethod string, req any) error {
	service, method := splitMethod(fullMethod)
	rule := z.rule(service, method)
	if rule == nil {
		return status.Errorf(codes.PermissionDenied, "%s has no access rule: refused", fullMethod)
	}
	attrs, err := rule(ctx, req)
	if err != nil {
		return err
	}
	allowed, err := z.review(ctx, id, attrs)
	if err != nil {
		return err
	}
	if !allowed {
		z.logger.InfoContext(ctx, "permission denied", "grpc.method", fullMethod, "user", id.User,
			"verb", attrs.Verb, "namespace", attrs.Namespace, "node_group", attrs.Group)
		return status.Error(codes.PermissionDenied, denial(id, attrs))
	}
	return nil
}

// denial says who may not do what, where.
func denial(id identity.Identity, a Attributes) string {
	what := fmt.Sprintf("%s %s/%s (API group %s)", a.Verb, RebalanceResource, RebalanceSubresource, RebalanceAPIGroup)
	if a.Group != "" {
		what += fmt.Sprintf(" of NodeGroup %q", a.Group)
	}
	where := "in all namespaces (a cluster-wide grant is needed)"
	if a.Namespace != "" {
		where = fmt.Sprintf("in namespace %q", a.Namespace)
	}
	return fmt.Sprintf("permission denied: user %s may not %s %s", id, what, where)
}

// review asks the API server, through the cache.
func (z *authorizer) review(ctx context.Context, id identity.Identity, a Attributes) (bool, error) {
	key := reviewKey(id, a)
	if v, ok := z.answers.Get(key); ok {
		return v.(bool), nil
	}
	sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
		User: id.User, UID: id.UID, Groups: id.Groups,
		ResourceAttributes: &authzv1.ResourceAttributes{
			Namespace: a.Namespace, Verb: a.Verb, Group: RebalanceAPIGroup,
			Resource: RebalanceResource, Subresource: RebalanceSubresource, Name: a.Group,
		},
	}}
	if len(id.Extra) > 0 {
		sar.Spec.Extra = map[string]authzv1.ExtraValue{}
		for k, v := range id.Extra {
			sar.Spec.Extra[k] = v
		}
	}
	got, err := z.reviews.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		z.logger.WarnContext(ctx, "SubjectAccessReview failed", "error", err)
		return false, status.Error(codes.Unavailable, "cannot authorize the call with the Kubernetes API now; retry")
	}
	z.answers.Add(key, got.Status.Allowed, z.ttl)
	return got.Status.Allowed, nil
}

// reviewKey is a digest of everything a review depends on.
func reviewKey(id identity.Identity, a Attributes) [sha256.Size]byte {
	b, _ := json.Marshal(struct { // maps marshal with sorted keys
		ID    identity.Identity
		Attrs Attributes
	}{id, a})
	return sha256.Sum256(b)
}

// splitMethod splits "/pkg.Service/Method".
func splitMethod(fullMethod string) (service, method string) {
	service, method, _ = strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	return service, method
}
