#!/bin/sh
# Install the Debian packages tracekit needs to build, test and demo; a no-op when all are
# present. Everything comes from Debian: no other downloads.
set -eu
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev libdw-dev zlib1g-dev libcapstone-dev liblzma-dev libbz2-dev libclang-rt-14-dev
      golang-go python3 python3-pytest bpftrace iproute2 nftables time procps"
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
