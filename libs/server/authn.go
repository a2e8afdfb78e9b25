package server

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/cache"
	authnclient "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authzclient "k8s.io/client-go/kubernetes/typed/authorization/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/identity"
)

// Reviewer is the part of the Kubernetes API that authentication and
// authorization call: TokenReview and SubjectAccessReview. A
// kubernetes.Interface is one; the service account needs "create" on
// both (the ClusterRole system:auth-delegator).
type Reviewer interface {
	AuthenticationV1() authnclient.AuthenticationV1Interface
	AuthorizationV1() authzclient.AuthorizationV1Interface
}

// authenticator finds the caller of a call: a bearer token reviewed by the
// Kubernetes TokenReview API, else a client certificate the TLS handshake
// verified against --client-ca-file.
type authenticator struct {
	reviews Reviewer
	logger  *slog.Logger
	ttl     time.Duration
	// tokens caches reviews by the token's SHA-256: an identity for an
	// accepted token, nil for a refused one.
	tokens *cache.LRUExpireCache
}

func newAuthenticator(reviews Reviewer, logger *slog.Logger, ttl time.Duration, size int) *authenticator {
	return &authenticator{reviews: reviews, logger: logger, ttl: ttl, tokens: cache.NewLRUExpireCache(size)}
}

// errNoCredentials is the answer to a call carrying neither a token nor a
// verified certificate.
var errNoCredentials = status.Error(codes.Unauthenticated,
	`no credentials: send the metadata "authorization: Bearer <token>" with a Kubernetes token, or a client certificate`)

func (a *authenticator) authenticate(ctx context.Context) (identity.Identity, error) {
	token, present, err := bearerToken(ctx)
	if err != nil {
		return identity.Identity{}, err
	}
	if present {
		return a.reviewToken(ctx, token)
	}
	if id, ok := certificateIdentity(ctx); ok {
		return id, nil
	}
	return identity.Identity{}, errNoCredentials
}

// bearerToken reads the authorization metadata; present is false when
// there is none.
func bearerToken(ctx context.Context) (token string, present bool, err error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return "", false, nil
	}
	scheme, token, _ := strings.Cut(values[0], " ")
	token = strings.TrimSpace(token)
	if len(values) > 1 || !strings.EqualFold(scheme, "bearer") || token == "" {
		return "", true, status.Error(codes.Unauthenticated, `malformed authorization metadata: want one "Bearer <token>"`)
	}
	return token, true, nil
}

// certificateIdentity is the subject of the client certificate the
// handshake verified: its CN the user, its O the groups.
func certificateIdentity(ctx context.Context) (identity.Identity, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return identity.Identity{}, false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return identity.Identity{}, false
	}
	subject := info.State.VerifiedChains[0][0].Subject
	if subject.CommonName == "" {
		return identity.Identity{}, false
	}
	return identity.Identity{User: subject.CommonName, Groups: append([]string(nil), subject.Organization...),
		Source: identity.SourceCertificate}, true
}

// reviewToken asks the API server who token is, through the cache.
func (a *authenticator) reviewToken(ctx context.Context, token string) (identity.Identity, error) {
	sum := sha256.Sum256([]byte(token))
	if v, ok := a.tokens.Get(sum); ok {
		if id, ok := v.(*identity.Identity); ok && id != nil {
			return *id, nil
		}
		return identity.Identity{}, errTokenRefused
	}
	review, err := a.reviews.AuthenticationV1().TokenReviews().Create(ctx,
		&authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
	if err != nil {
		a.logger.WarnContext(ctx, "TokenReview failed", "error", err)
		return identity.Identity{}, status.Error(codes.Unavailable, "cannot review the token with the Kubernetes API now; retry")
	}
	if !review.Status.Authenticated {
		a.tokens.Add(sum, (*identity.Identity)(nil), a.ttl)
		return identity.Identity{}, errTokenRefused
	}
	u := review.Status.User
	id := identity.Identity{User: u.Username, UID: u.UID, Groups: u.Groups, Source: identity.SourceToken}
	if len(u.Extra) > 0 {
		id.Extra = map[string][]string{}
		for k, v := range u.Extra {
			id.Extra[k] = v
		}
	}
	a.tokens.Add(sum, &id, a.ttl)
	return id, nil
}

var errTokenRefused = status.Error(codes.Unauthenticated, "the bearer token was refused by the Kubernetes TokenReview API (expired, revoked or not a token of this cluster)")
