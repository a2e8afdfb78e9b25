package vpsie

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

var kinds = []error{cloud.ErrNotFound, cloud.ErrRateLimited, cloud.ErrQuotaExceeded, cloud.ErrOfferingUnavailable,
	cloud.ErrUnauthorized, cloud.ErrTransient, cloud.ErrInvalid}

// FuzzDecode feeds any status and body to the decoder of every answer the
// client reads. Whatever the bytes, it must not panic, must fail every
// non-2xx answer, and must fail only with a *cloud.Error of a known kind.
// The seeds below run on every plain `go test`.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, validVMList},
		{200, `{"error":false,"data":{"vmData":{"identifier":"a","hostname":"h","cpu":"2","is_deleted":"1"}}}`},
		{200, `{"error":false,"data":[{"identifier":"p","nickname":"standard-8","cpu":8,"ram":"16384","ssd":320,"price":"48.00"}]}`},
		{200, `{"error":false,"data":[{"identifier":"d","dc_name":"dc-nyc1","is_active":1}],"total":"1"}`},
		{200, `{"error":false,"data":{"maxVms":"50","usedVms":"3","maxCpu":400,"usedCpu":"12","maxRamMb":"1048576","usedRamMb":null}}`},
		{200, `{"error":true,"code":"500","message":"Internal error"}`},
		{401, `{"error":true,"code":401,"message":"Unauthorized"}`},
		{429, `{"error":true,"code":429,"message":"Too many requests"}`},
		{502, `<html>Bad Gateway</html>`},
		{200, `true`},
		{200, `{"error":false,"data":[{"tags":[{"name":"k8s-taint:a=b:NoSchedule"},7,null]}]}`},
		{200, `{"error":false,"data":[{"ram":1e400}]}`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		now := time.Now()
		targets := []func() error{
			func() error {
				var v []vmData
				return decodeAndConvert(status, body, now, &v, func() { checkVMs(t, v) })
			},
			func() error {
				var v vmDetail
				return decodeAndConvert(status, body, now, &v, func() { checkVMs(t, []vmData{v.vmData}) })
			},
			func() error {
				var v []planData
				return decodeAndConvert(status, body, now, &v, func() { checkPlans(t, v) })
			},
			func() error {
				var v []datacenterData
				return decodeAndConvert(status, body, now, &v, func() { checkDatacenters(t, v) })
			},
			func() error {
				var v quotaData
				return decodeAndConvert(status, body, now, &v, func() { checkQuota(t, v) })
			},
			func() error { return decode("DeleteVM", status, http.Header{}, body, now, nil) },
		}
		for _, target := range targets {
			err := target()
			if (status < 200 || status > 299) && err == nil {
				t.Fatalf("status %d decoded without error", status)
			}
			if err == nil {
				continue
			}
			var e *cloud.Error
			if !errors.As(err, &e) || !slices.Contains(kinds, e.Kind) {
				t.Fatalf("error %v is not a *cloud.Error of a known kind", err)
			}
		}
	})
}

func decodeAndConvert(status int, body []byte, now time.Time, out any, convert func()) error {
	err := decode("Fuzz", status, http.Header{"Retry-After": {"1"}}, body, now, out)
	if err == nil {
		convert()
	}
	return err
}

// The checks below hold for any answer that decoded: conversion keeps
// identifiers and numbers as they were sent.

func checkVMs(t *testing.T, vs []vmData) {
	for _, v := range vs {
		vm, ok := v.toVM()
		if ok && (vm.ID != v.Identifier || vm.ID == "" || int64(vm.CPU) != int64(v.CPU)) {
			t.Fatalf("VM %+v converted to %+v", v, vm)
		}
	}
}

func checkPlans(t *testing.T, ps []planData) {
	for _, p := range ps {
		if o := p.toOffering("c"); o.ID != p.Identifier || o.MonthlyPrice != float64(p.Price) {
			t.Fatalf("plan %+v converted to %+v", p, o)
		}
	}
}

func checkDatacenters(t *testing.T, ds []datacenterData) {
	for _, d := range ds {
		if dc := d.toDatacenter(); dc.ID != d.Identifier || dc.Active != bool(d.IsActive) {
			t.Fatalf("datacenter %+v converted to %+v", d, dc)
		}
	}
}

func checkQuota(t *testing.T, q quotaData) {
	if got := q.toQuota(); int64(got.MaxVMs) != int64(q.MaxVMs) || int64(got.UsedVMs) != int64(q.UsedVMs) {
		t.Fatalf("quota %+v converted to %+v", q, got)
	}
}
