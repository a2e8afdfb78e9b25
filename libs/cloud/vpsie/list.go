package vpsie

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Paging of GET /api/v2/vm. ASSUMPTION: VPSie pages with page (from 1)
// and per_page, the query names of govpsie's ListOptions, and reports the
// whole count as the envelope's total. Without a total the first answer
// is taken as the whole list (a server that does not page).
const (
	listPageSize = 50
	maxPages     = 1000 // a bound on a server that ignores page
	listRestarts = 3    // times a list that changed while paged is read again
)

// vmPage is one page of VMs and the envelope's total.
type vmPage struct {
	items []vmData
	total int
}

func (p *vmPage) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &p.items) }
func (p *vmPage) setTotal(n int)               { p.total = n }

// listMoving says why a list failed: it kept changing under our pages.
const listMoving = "the VM list changed while it was paged; read it again"

// listOnce lists the account's live VMs, every page, in one attempt,
// oldest first. A page is read by offset, so a VM deleted meanwhile
// shifts the next page and could hide a VM: when the total changes
// between pages, or the pages hold fewer VMs than the total, the list is
// read again from the start.
func (c *Client) listOnce(ctx context.Context, op string) ([]cloud.VM, error) {
	for range listRestarts {
		at := time.Now()
		data, complete, err := c.listPages(ctx, op)
		if err != nil {
			return nil, err
		}
		if complete {
			vms := toVMs(data)
			c.recent.keep(at, vms)
			return vms, nil
		}
	}
	return nil, cloud.NewError(cloud.ErrTransient, op, "%s", listMoving)
}

// listPages reads every page and reports whether they fit together.
func (c *Client) listPages(ctx context.Context, op string) ([]vmData, bool, error) {
	byID := map[string]vmData{}
	var unnamed []vmData // no identifier yet: cannot be deduplicated
	total := -1
	for page := 1; page <= maxPages; page++ {
		p, err := c.listPage(ctx, op, page)
		if err != nil {
			return nil, false, err
		}
		if total >= 0 && p.total != total {
			return nil, false, nil
		}
		total = p.total
		fresh := 0
		for _, d := range p.items {
			if d.Identifier == "" {
				unnamed = append(unnamed, d)
			} else if _, seen := byID[d.Identifier]; !seen {
				byID[d.Identifier] = d
				fresh++
			}
		}
		if total == 0 || len(byID)+len(unnamed) >= total || fresh == 0 {
			break
		}
	}
	all := append(slices.Collect(maps.Values(byID)), unnamed...)
	return all, len(all) >= total, nil
}

func (c *Client) listPage(ctx context.Context, op string, page int) (vmPage, error) {
	q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(listPageSize)}}
	if c.opts.ProjectID != 0 {
		q.Set("projectId", strconv.FormatInt(c.opts.ProjectID, 10))
	}
	var p vmPage
	err := c.send(ctx, request{op: op, method: http.MethodGet, path: vmPath, query: q}, &p)
	return p, err
}

func toVMs(data []vmData) []cloud.VM {
	vms := make([]cloud.VM, 0, len(data))
	for _, d := range data {
		if vm, ok := d.toVM(); ok {
			vms = append(vms, vm)
		}
	}
	slices.SortStableFunc(vms, func(a, b cloud.VM) int { return cmp.Compare(a.NumericID, b.NumericID) })
	return vms
}

// findListed finds the VM named hostname among the listed VMs (pending
// ones are not looked at) in one attempt; poll counts the caller's
// attempts from 1. It serves awaitListed, which looks for a VM it just
// ordered: that VM is the account's newest, and VPSie lists oldest first
// (ASSUMPTION, as the simulator does), so the first and the last page
// are read rather than all of them, 2 requests instead of 5 on a 200-VM
// account. Every third poll reads the whole list, in case the order is
// not what we assume. Not finding a VM here only means "poll again":
// nothing is ever ordered on this answer.
func (c *Client) findListed(ctx context.Context, op, hostname string, poll int) (cloud.VM, error) {
	if vm, ok := c.recent.find(hostname, time.Now(), c.opts.ListingMaxAge); ok {
		return vm, nil
	}
	if poll%3 != 0 {
		first, err := c.listPage(ctx, op, 1)
		if err != nil {
			return cloud.VM{}, err
		}
		if vm, ok := onPage(first.items, hostname); ok {
			return vm, nil
		}
		size := len(first.items)
		if size == 0 || first.total <= size {
			return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, op, "no VM named %q listed yet", hostname)
		}
		// The first page is full: its length is the server's page size,
		// which may be less than the per_page asked for.
		last, err := c.listPage(ctx, op, (first.total+size-1)/size)
		if err != nil {
			return cloud.VM{}, err
		}
		if vm, ok := onPage(last.items, hostname); ok {
			return vm, nil
		}
		return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, op, "no VM named %q on the first or last page", hostname)
	}
	vms, err := c.listOnce(ctx, op)
	if err != nil {
		return cloud.VM{}, err
	}
	for _, vm := range vms {
		if strings.EqualFold(vm.Hostname, hostname) {
			return vm, nil
		}
	}
	return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, op, "no VM named %q listed yet", hostname)
}

// onPage is the live VM named hostname on a page, with its identifier.
func onPage(items []vmData, hostname string) (cloud.VM, bool) {
	for _, d := range items {
		if vm, ok := d.toVM(); ok && vm.ID != "" && strings.EqualFold(vm.Hostname, hostname) {
			return vm, true
		}
	}
	return cloud.VM{}, false
}
