#!/bin/sh
# gotoolchain.sh GO VERSION CACHE [LOCAL_GOROOT]
#
# Print the GOROOT of the Go toolchain VERSION (go1.X.Y) for the version matrix of the test
# targets. LOCAL_GOROOT is used when it holds the same Go 1.X (Debian's golang-1.19-go);
# otherwise the toolchain is fetched once from the module proxy by the Go command GO into
# CACHE/mod (GOMODCACHE) and CACHE/path (GOPATH: the checksum database cache).
#
# Why not `GOTOOLCHAIN=VERSION go build`: toolchain switching needs module mode and a Go
# >= 1.21, while the targets build in GOPATH mode and the only Go of a fresh Debian 12 is
# 1.19. `go mod download golang.org/toolchain@...` is what switching does underneath (same
# module, same checksum check) and works with any Go that has modules; like switching, we
# then set the execute bits that a module zip cannot carry.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 GO VERSION CACHE [LOCAL_GOROOT]" >&2
	exit 2
fi
go=$1 version=$2 cache=$3 local=${4:-}
minor=$(echo "$version" | sed -n 's/^\(go1\.[0-9]*\).*/\1/p')
[ -n "$minor" ] || { echo "gotoolchain: bad version '$version'" >&2; exit 2; }

# "go version go1.19.8 linux/amd64" -> go1.19.8
goversion() { GOTOOLCHAIN=local "$1" version 2>/dev/null | awk '{ print $3 }'; }

if [ -n "$local" ] && [ -x "$local/bin/go" ]; then
	case $(goversion "$local/bin/go") in
	"$minor" | "$minor".*)
		echo "$local"
		exit 0
		;;
	esac
fi

arch=$(uname -m)
case $arch in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
esac
mod=golang.org/toolchain@v0.0.1-$version.linux-$arch
dir=$cache/mod/$mod

if [ "$(goversion "$dir/bin/go")" != "$version" ]; then
	if ! command -v "$go" >/dev/null 2>&1; then
		echo "gotoolchain: no Go command '$go' to fetch $version with (run scripts/deps.sh)" >&2
		exit 1
	fi
	echo "gotoolchain: fetching $version into $cache/mod" >&2
	# Outside any go.mod (a target directory may have one), module mode on, our caches; a
	# writable cache so that `rm -rf build` works without root.
	(cd / && GOMODCACHE="$cache/mod" GOPATH="$cache/path" GOFLAGS=-modcacherw \
		GO111MODULE=on GOTOOLCHAIN=local "$go" mod download "$mod") >&2
	chmod -R a+x "$dir/bin" "$dir/pkg/tool"
	if [ "$(goversion "$dir/bin/go")" != "$version" ]; then
		echo "gotoolchain: $dir/bin/go is not $version" >&2
		exit 1
	fi
fi
echo "$dir"
