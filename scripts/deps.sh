#!/bin/sh
# Install the Debian packages tracekit needs to build, test and demo; a no-op when all are
# present. Everything here comes from Debian (the newer Go toolchains of the test matrix are
# fetched by tests/targets/Makefile from the Go module proxy, into build/).
set -eu
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev libdw-dev systemtap-sdt-dev zlib1g-dev libcapstone-dev liblzma-dev libbz2-dev libclang-rt-14-dev
      golang-1.19-go python3 python3-pytest bpftrace iproute2 nftables time procps groff-base
      prometheus chromium python3-websocket linux-perf"

# chromium, python3-websocket: the flame graph and heat map tests render the SVGs in headless
# Chromium and click them through its DevTools protocol. linux-perf: bench/ compares profile
# with `perf record`.
# prometheus: the tests of --metrics start their own Prometheus on loopback and use its
# promtool; the package's own system service is not wanted (see the end of this script).

# Go: Debian's 1.19 (golang-1.19-go, in /usr/lib/go-1.19) is the oldest Go of the test matrix.
# The Go that is there builds everything else; Debian's golang-go, which puts 1.19 on PATH as
# `go`, only where there is no Go >= 1.17 (the register ABI) on PATH or in /usr/local/go.
go_ok() {
	v=$(GOTOOLCHAIN=local "$1" version 2>/dev/null | awk '{ print $3 }') || return 1
	minor=${v#go1.}
	minor=${minor%%[!0-9]*}
	[ -n "$minor" ] && [ "$minor" -ge 17 ]
}
if ! { command -v go >/dev/null 2>&1 && go_ok go; } && ! go_ok /usr/local/go/bin/go; then
	PKGS="$PKGS golang-go"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive

# Installing prometheus must not start (or enable at boot) a system Prometheus as a side
# effect: a policy-rc.d that forbids starting services (101) while apt runs, unless the
# machine already has one (a container's usually does), then the unit disabled.
new_prometheus=false
case " $missing " in *" prometheus "*) new_prometheus=true ;; esac
policy=/usr/sbin/policy-rc.d
own_policy=false
if $new_prometheus && [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# scripts/deps.sh (tracekit): no service starts while it installs\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=true
	trap 'rm -f "$policy"' EXIT INT TERM
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null

if $new_prometheus; then
	deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true
	update-rc.d prometheus disable >/dev/null 2>&1 || true
	if [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus.service >/dev/null 2>&1 || true
	fi
fi
if $own_policy; then
	rm -f "$policy"
	trap - EXIT INT TERM
fi
