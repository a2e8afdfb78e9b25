package nodestep

import (
	"context"
	"fmt"
	"math"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// HealthQuery evaluates a soak's PromQL query.
type HealthQuery interface {
	// Value is the query's largest sample now; found is false when it has
	// none (an empty vector).
	Value(ctx context.Context, query string) (value float64, found bool, err error)
}

// NewHealthQuery queries the Prometheus HTTP API at url (--prometheus-url).
func NewHealthQuery(url string) (HealthQuery, error) {
	c, err := promapi.NewClient(promapi.Config{Address: url})
	if err != nil {
		return nil, fmt.Errorf("prometheus url %q: %w", url, err)
	}
	return prometheus{api: promv1.NewAPI(c)}, nil
}

type prometheus struct{ api promv1.API }

// healthQueryTimeout bounds one evaluation, so a slow Prometheus delays a
// soak's checks by at most that.
const healthQueryTimeout = 10 * time.Second

func (p prometheus) Value(ctx context.Context, query string) (float64, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, healthQueryTimeout)
	defer cancel()
	v, _, err := p.api.Query(ctx, query, time.Now())
	if err != nil {
		return 0, false, err
	}
	return largest(v)
}

// largest is the largest sample of an instant query's answer. NaN (a ratio
// over nothing) counts as no sample.
func largest(v model.Value) (float64, bool, error) {
	switch v := v.(type) {
	case model.Vector:
		best, found := math.Inf(-1), false
		for _, s := range v {
			if f := float64(s.Value); !math.IsNaN(f) {
				best, found = max(best, f), true
			}
		}
		return best, found, nil
	case *model.Scalar:
		f := float64(v.Value)
		return f, !math.IsNaN(f), nil
	}
	return 0, false, fmt.Errorf("the health query answered a %s, not a vector or scalar", v.Type())
}
