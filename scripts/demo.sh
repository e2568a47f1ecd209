#!/bin/sh
# The README's demo: the article's scenario on the bundled Go RPC service. Starts the service
# and a client calling Arith.Mul 20 times a second (one call in ten slow), then runs the
# article's commands against the running, unmodified service. Stops only what it started.
set -u
cd "$(dirname "$0")/.."
T=tests/targets/bin
TK=build/tracekit
PORT=${PORT:-8972}
[ "$(id -u)" = 0 ] || { echo "demo: run as root (BPF needs it)" >&2; exit 1; }

"$T/rpcserver" -addr "127.0.0.1:$PORT" >/dev/null 2>&1 &
SERVER=$!
"$T/rpcclient" -addr "127.0.0.1:$PORT" -n 0 -rate 18 >/dev/null 2>&1 &
CLIENT=$!
"$T/rpcclient" -addr "127.0.0.1:$PORT" -n 0 -rate 2 -a -3 -b 7 >/dev/null 2>&1 &
SLOW=$!
trap 'kill $CLIENT $SLOW $SERVER 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
sleep 0.5
cd "$T"

run() {
	printf '\n\033[1m# %s\033[0m\n' "$*"
	"$@"
}
TK=../../../$TK
run $TK funccount -d 3 './rpcserver:main.*.Mul'
run $TK funccount -d 3 './rpcserver:runtime.*.gc*'
run $TK funclatency -d 3 './rpcserver:main.*.Mul'
run $TK funcslower -d 3 -u 10 './rpcserver:main.(*Arith).Mul'
run $TK funcslower -d 3 -U -m 2 './rpcserver:main.(*Arith).Mul'
if $TK tcptracer -h >/dev/null 2>&1; then
	printf '\n\033[1m# %s\033[0m\n' "tcptracer (one new connection per call for 2 s)"
	$TK tcptracer &
	TR=$!
	sleep 0.5
	./rpcclient -addr "127.0.0.1:$PORT" -n 3 -conns >/dev/null
	sleep 0.5
	kill -INT $TR; wait $TR
fi
run timeout -s INT 1 $TK -e 'uprobe:./rpcserver:main.*.Mul { printf("%s - %s: arg1: %d, arg2: %d\n", comm, func, arg0, arg1); }'
exit 0
