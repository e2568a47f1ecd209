#!/bin/sh
# Benchmark tracekit against bpftrace and a minimal libbpf program, in one run (`make bench`).
# Method and how to read the table: bench/README.md. Needs root, build/tracekit and the test
# targets (`make all targets`); builds the minimal program itself. Extra arguments go to
# bench.py (--quick: a shorter, noisier run).
set -eu
cd "$(dirname "$0")"
make -s -C . >/dev/null
/usr/bin/python3 bench.py "$@"
../build/bench/pprof_write
/usr/bin/python3 profile.py "$@"
/usr/bin/python3 tools.py "$@"
exec /usr/bin/python3 lang.py "$@"
