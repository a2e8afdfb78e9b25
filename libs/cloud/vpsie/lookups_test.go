package vpsie_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

// account is a small VPSie account: VMs listed oldest first in pages of
// per_page, a create that answers without an identifier, and requests
// counted by endpoint so a test can say what each call cost.
type account struct {
	mu       sync.Mutex
	vms      []string // hostnames, oldest first; VM i is numbered i+1
	failPost int      // create answers to fail with a 500 before one passes
	calls    map[string]int
}

func newAccount(t *testing.T, existing int) (*account, string) {
	t.Helper()
	a := &account{calls: map[string]int{}}
	for i := range existing {
		a.vms = append(a.vms, fmt.Sprintf("other-%d", i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apps/v2/datacenter", a.count("datacenter", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"error":false,"data":[{"identifier":"dc-1","dc_name":"nyc1","is_active":1}]}`))
	}))
	mux.HandleFunc("GET /apps/v2/vm/pending", a.count("pending", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"error":false,"data":[]}`))
	}))
	mux.HandleFunc("GET /api/v2/vm", a.count("list", a.list))
	mux.HandleFunc("POST /api/v2/vm", a.count("create", a.create))
	mux.HandleFunc("DELETE /api/v2/vm", a.count("delete", a.remove))
	return a, serveHandler(t, mux)
}

func (a *account) count(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.calls[name]++
		a.mu.Unlock()
		h(w, r)
	}
}

func (a *account) list(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	items := []string{}
	for i := (page - 1) * per; i >= 0 && i < len(a.vms) && i < page*per; i++ {
		if a.vms[i] != "" {
			items = append(items, vmItem(strconv.Itoa(i+1), a.vms[i]))
		}
	}
	body := `{"error":false,"total":` + strconv.Itoa(a.live()) + `,"data":[`
	for i, it := range items {
		if i > 0 {
			body += ","
		}
		body += it
	}
	_, _ = w.Write([]byte(body + "]}"))
}

// live counts the VMs not deleted. Deleted ones keep their place, so
// pages stay put (the test accounts delete only at the end).
func (a *account) live() int {
	n := 0
	for _, h := range a.vms {
		if h != "" {
			n++
		}
	}
	return n
}

func (a *account) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Hostname string `json:"hostname"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.vms = append(a.vms, body.Hostname) // created even when the answer is lost
	if a.failPost > 0 {
		a.failPost--
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(fail500))
		return
	}
	_, _ = w.Write([]byte(`{"error":false,"data":true}`))
}

func (a *account) remove(w http.ResponseWriter, r *http.Request) {
	var body struct {
		VMIdentifier string `json:"vmIdentifier"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.vms {
		if "uuid-"+strconv.Itoa(i+1) == body.VMIdentifier {
			a.vms[i] = ""
		}
	}
	_, _ = w.Write([]byte(`{"error":false,"data":true}`))
}

func (a *account) snapshot() (map[string]int, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	calls := map[string]int{}
	for k, v := range a.calls {
		calls[k] = v
	}
	return calls, append([]string(nil), a.vms...)
}

func (a *account) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = map[string]int{}
}

func spec(hostname string, first bool) cloud.CreateSpec {
	return cloud.CreateSpec{Hostname: hostname, OfferingID: "plan-1", Datacenter: "nyc1", FirstAttempt: first}
}

// A first create (the caller's record shows none sent before) orders
// without a look-up, then finds its VM on the first and last pages of a
// 200-VM account: 1 create and 2 list pages, not 2 full listings.
func TestAFirstCreateOrdersAtOnceAndReadsTheLastPage(t *testing.T) {
	t.Parallel()
	a, url := newAccount(t, 200)
	vm, err := newClient(t, url).CreateVM(t.Context(), spec("web-new", true))
	require.NoError(t, err)
	require.Equal(t, "uuid-201", vm.ID)
	calls, _ := a.snapshot()
	require.Equal(t, map[string]int{"datacenter": 1, "create": 1, "list": 2}, calls)
}

// A create that may have been sent before (resumed, retried) looks the
// hostname up first and orders nothing when it exists.
func TestACreateThatMayHaveBeenSentLooksFirst(t *testing.T) {
	t.Parallel()
	a, url := newAccount(t, 3)
	a.vms = append(a.vms, "web-new") // created by a run that was killed before recording it
	vm, err := newClient(t, url, noRecentListing).CreateVM(t.Context(), spec("web-new", false))
	require.NoError(t, err)
	require.Equal(t, "uuid-4", vm.ID)
	calls, vms := a.snapshot()
	require.Zero(t, calls["create"], "no second VM")
	require.Len(t, vms, 4)
}

// The answer to a first create is lost (a 502 after the VM was made):
// the retry looks first, finds the VM, and orders no second one.
func TestAFirstCreateWhoseAnswerIsLostIsNotSentAgain(t *testing.T) {
	t.Parallel()
	a, url := newAccount(t, 3)
	a.failPost = 1
	vm, err := newClient(t, url).CreateVM(t.Context(), spec("web-new", true))
	require.NoError(t, err)
	require.Equal(t, "uuid-4", vm.ID)
	calls, vms := a.snapshot()
	require.Equal(t, 1, calls["create"])
	require.Equal(t, 1, calls["pending"], "the retry looked before sending")
	require.Equal(t, []string{"other-0", "other-1", "other-2", "web-new"}, vms)
}

// One listing answers the look-ups of every VM it holds for a few
// seconds; a hostname it lacks is looked up afresh, since it may have
// been ordered since; a VM the client deleted is not found in it.
func TestARecentListingAnswersWhatItHolds(t *testing.T) {
	t.Parallel()
	a, url := newAccount(t, 120)
	c := newClient(t, url)
	vms, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	require.Len(t, vms, 120)
	a.reset()
	for _, h := range []string{"other-1", "other-60", "other-119"} {
		vm, err := c.FindVM(t.Context(), h)
		require.NoError(t, err)
		require.Equal(t, h, vm.Hostname)
	}
	calls, _ := a.snapshot()
	require.Empty(t, calls, "answered by the listing")

	_, err = c.FindVM(t.Context(), "web-new")
	require.True(t, cloud.IsNotFound(err))
	calls, _ = a.snapshot()
	require.Equal(t, map[string]int{"pending": 1, "list": 3}, calls, "not found: read afresh")

	require.NoError(t, c.DeleteVM(t.Context(), "uuid-2"))
	a.reset()
	_, err = c.FindVM(t.Context(), "other-1")
	require.True(t, cloud.IsNotFound(err), "deleted")
	calls, _ = a.snapshot()
	require.Equal(t, 1, calls["pending"], "a deleted VM is looked up afresh")
}

// An old listing answers nothing.
func TestAListingOlderThanItsMaxAgeIsReadAgain(t *testing.T) {
	t.Parallel()
	a, url := newAccount(t, 2)
	c := newClient(t, url, func(o *vpsie.Options) { o.ListingMaxAge = time.Millisecond })
	_, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	time.Sleep(5 * time.Millisecond)
	a.reset()
	_, err = c.FindVM(t.Context(), "other-1")
	require.NoError(t, err)
	calls, _ := a.snapshot()
	require.Equal(t, map[string]int{"pending": 1, "list": 1}, calls)
}

func noRecentListing(o *vpsie.Options) { o.ListingMaxAge = -1 }

// A building VM is about to change: a caller polling FindVM until it runs
// reads it afresh each time, never from the listing.
func TestABuildingVMIsNeverAnsweredFromTheListing(t *testing.T) {
	t.Parallel()
	building := `{"id":"1","identifier":"uuid-1","hostname":"web-1","state":"building"}`
	s, url := serveScript(t,
		answer{status: 200, body: `{"error":false,"total":1,"data":[` + building + `]}`}, // ListVMs
		answer{status: 200, body: `{"error":false,"data":[]}`},                           // FindVM: pending
		answer{status: 200, body: `{"error":false,"total":1,"data":[` + vmItem("1", "web-1") + `]}`})
	c := newClient(t, url)
	_, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	vm, err := c.FindVM(t.Context(), "web-1")
	require.NoError(t, err)
	require.Equal(t, cloud.VMRunning, vm.Status)
	require.Equal(t, 3, s.count())
}
