package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600))
	valid := func() ([]string, map[string]string) {
		return []string{"--addr", "127.0.0.1:9000", "--token", "flag-token"}, map[string]string{}
	}
	cases := map[string]struct {
		change  func(args *[]string, env map[string]string)
		want    func(*options)
		problem string
	}{
		"flags alone": {change: func(*[]string, map[string]string) {}, want: func(*options) {}},
		"the environment fills what flags leave out": {
			change: func(a *[]string, env map[string]string) {
				*a = nil
				env["VPSIE_SIM_ADDR"], env["VPSIE_SIM_TOKEN"], env["KUBECONFIG"] = "127.0.0.1:9001", "env-token", kubeconfig
				env["VPSIE_SIM_BOOT_DELAY"], env["VPSIE_SIM_QUOTA_VMS"] = "250ms", "7"
				env["VPSIE_SIM_JOIN_TOKEN"], env["VPSIE_SIM_LISTING_LAG"], env["VPSIE_SIM_PAGE_SIZE"] = "join-me", "3s", "20"
			},
			want: func(o *options) {
				o.addr, o.token, o.kubeconfig, o.bootDelay, o.quotaVMs = "127.0.0.1:9001", "env-token", kubeconfig, 250*time.Millisecond, 7
				o.joinToken, o.listingLag, o.pageSize = "join-me", 3*time.Second, 20
			}},
		"join token, listing lag and page size as flags": {
			change: func(a *[]string, _ map[string]string) {
				*a = append(*a, "--join-token", "t0k", "--listing-lag", "1s", "--page-size", "7")
			},
			want: func(o *options) { o.joinToken, o.listingLag, o.pageSize = "t0k", time.Second, 7 }},
		"a negative listing lag": {
			change: func(a *[]string, _ map[string]string) { *a = append(*a, "--listing-lag", "-1s") }, problem: "--listing-lag"},
		"a page size of zero": {
			change: func(a *[]string, _ map[string]string) { *a = append(*a, "--page-size", "0") }, problem: "--page-size"},
		"a flag wins over the environment": {
			change: func(_ *[]string, env map[string]string) { env["VPSIE_SIM_TOKEN"] = "env-token" },
			want:   func(*options) {}},
		"no token":                {change: func(a *[]string, _ map[string]string) { *a = (*a)[:2] }, problem: "--token"},
		"an address without port": {change: func(a *[]string, _ map[string]string) { (*a)[1] = "localhost" }, problem: "--addr"},
		"a missing kubeconfig": {
			change: func(_ *[]string, env map[string]string) { env["KUBECONFIG"] = "/nonexistent/kubeconfig" }, problem: "--kubeconfig"},
		"a boot delay without unit": {
			change: func(a *[]string, _ map[string]string) { *a = append(*a, "--boot-delay", "5") }, problem: "--boot-delay"},
		"a negative quota": {
			change: func(a *[]string, _ map[string]string) { *a = append(*a, "--quota-vms", "-1") }, problem: "--quota-vms"},
		"a stray argument": {
			change: func(a *[]string, _ map[string]string) { *a = append(*a, "extra") }, problem: "unexpected"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args, env := valid()
			tc.change(&args, env)
			got, err := parseOptions(args, func(k string) string { return env[k] }, io.Discard)
			if tc.problem != "" {
				require.ErrorContains(t, err, tc.problem)
				return
			}
			require.NoError(t, err)
			want := options{addr: "127.0.0.1:9000", token: "flag-token", bootDelay: 2 * time.Second, quotaVMs: 50, seed: 1, pageSize: 50}
			tc.want(&want)
			require.Equal(t, want, got)
		})
	}
}
