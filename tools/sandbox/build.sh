#!/usr/bin/env bash
# Builds the sandbox cluster's binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) and kwok's stage files into
# a cache folder outside the clone, keyed by versions and inputs, so every
# clone on the machine shares one build and only a version change rebuilds.
#
#   tools/sandbox/build.sh               build what is missing, print the dir
#   tools/sandbox/build.sh --print-dir   print the dir, build nothing
#
# The dir holds bin/ (the five binaries) and stages/ (kwok's stage files).
# Progress goes to stderr, one line per binary; the dir alone to stdout.
#
# Cache root: $REBALANCER_CACHE_DIR, else $XDG_CACHE_HOME/node-rebalancer,
# else ~/.cache/node-rebalancer.
set -euo pipefail

KWOK_VERSION=v0.8.0
# Linker-only flags: stamping the version does not invalidate the Go build
# cache, so a rebuild after a flag change only relinks.
BUILD_FLAGS=(-trimpath)
# kwok is built from the module cache, where paths hold nothing private.
KWOK_FLAGS=()

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOWORK=off # this module is deliberately outside go.work

module_version() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$here/go.mod"; }

k8s_version="$(module_version k8s.io/kubernetes)"
etcd_version="$(module_version go.etcd.io/etcd/server/v3)"

# Every input that changes the bytes of a binary goes into the key.
inputs_hash() {
	{
		cat "$here/go.mod" "$here/go.sum"
		find "$here/cmd" -type f -name '*.go' -print0 | LC_ALL=C sort -z | xargs -0 cat
		go version
		echo "kwok $KWOK_VERSION" "${BUILD_FLAGS[@]}" / "${KWOK_FLAGS[@]}"
	} | sha256sum | cut -c1-12
}

cache_root="${REBALANCER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/node-rebalancer}"
dir="$cache_root/sandbox/k8s-$k8s_version-etcd-$etcd_version-kwok-$KWOK_VERSION-$(inputs_hash)"

if [[ "${1:-}" == "--print-dir" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir/bin"
# Two builds of one key at once would race on the same temp names.
exec 9>"$dir/.lock"
flock 9
# Leftovers of a build killed outright (SIGKILL runs no trap).
rm -rf "$dir"/bin/.*.tmp.* "$dir"/.stages.tmp.*

ldflags() {
	local major minor
	major="$(echo "$k8s_version" | cut -d. -f1 | tr -d v)"
	minor="$(echo "$k8s_version" | cut -d. -f2)"
	local pkg
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		printf -- '-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
			"$pkg" "$k8s_version" "$pkg" "$major" "$pkg" "$minor" "$pkg"
	done
}

# build NAME COMMAND...: runs COMMAND (which writes $tmp) unless bin/NAME
# exists, then renames, so an interrupted build never leaves half a binary.
build() {
	local name="$1"
	shift
	local out="$dir/bin/$name"
	if [[ -x "$out" ]]; then
		echo "sandbox: $name cached" >&2
		return
	fi
	echo "sandbox: building $name ..." >&2
	local start=$SECONDS
	tmp="$dir/bin/.$name.tmp.$$"
	trap 'rm -rf "$tmp"' EXIT
	"$@"
	mv -f "$tmp" "$out"
	trap - EXIT
	echo "sandbox: built $name in $((SECONDS - start))s" >&2
}

go_build() { (cd "$here" && go build "${BUILD_FLAGS[@]}" -ldflags "$(ldflags)" -o "$tmp" "./cmd/$1"); }

# go install puts the binary in GOBIN; give it a private one.
go_install_kwok() {
	mkdir -p "$tmp.d"
	(cd / && GOBIN="$tmp.d" go install "${KWOK_FLAGS[@]}" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
	mv -f "$tmp.d/kwok" "$tmp"
	rm -rf "$tmp.d"
}

# kwok refuses to start without stages; take the ones its release ships:
# node initialisation, lease heartbeats, and the general pod life cycle.
copy_stages() {
	local src
	src="$(cd / && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | awk -F'"' '$2 == "Dir" { print $4 }')"
	mkdir -p "$tmp"
	local stage
	for stage in node/fast node/heartbeat-with-lease pod/general; do
		find "$src/kustomize/stage/$stage" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml \
			-exec cp {} "$tmp/" \;
	done
	chmod -R u+w "$tmp"
}

total=$SECONDS
for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
	if [[ ! -x "$dir/bin/$name" ]]; then
		echo "sandbox: building into $dir (from scratch about 15 minutes on 2 cores)" >&2
		break
	fi
done
for cmd in etcd kube-apiserver kube-controller-manager kube-scheduler; do
	build "$cmd" go_build "$cmd"
done
build kwok go_install_kwok
if [[ ! -d "$dir/stages" ]]; then
	tmp="$dir/.stages.tmp.$$"
	trap 'rm -rf "$tmp"' EXIT
	copy_stages
	mv "$tmp" "$dir/stages"
	trap - EXIT
fi
echo "sandbox: binaries ready in $dir ($((SECONDS - total))s)" >&2
echo "$dir"
