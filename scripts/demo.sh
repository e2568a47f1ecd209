#!/bin/sh
# The README's demo: the seed article's own program, traced with the article's commands.
#
# Starts the article's rpcx 102basic server (tests/targets/bin/rpcx-server) and its client
# (rpcx-client: Arith.Mul(10, 20) once a second, as in the article) in a scratch directory
# where they are ./server and ./client and where funccount, funclatency, funcslower and
# tcptracer are tracekit, so every command line below is the article's, unchanged. Commands
# the article stops with Ctrl-C get a SIGINT after a few seconds. bpftrace's one-liners run
# through `tracekit -e`; the +OFFSET is computed for this build (the article's was +92).
# Stops only what it started.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
T=$ROOT/tests/targets/bin
TK=$ROOT/build/tracekit
PORT=${PORT:-8972}
RPCX=$(sed -n 's|^[[:space:]]*github.com/smallnest/rpcx \(v[^ ]*\)$|\1|p' tests/targets/rpcx/go.mod)

die() {
	echo "demo: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (BPF needs it)"
[ -x "$TK" ] || die "$TK is missing: run make"
for b in rpcx-server rpcx-client; do
	[ -x "$T/$b" ] || die "$T/$b is missing: run make targets"
done

DIR=$(mktemp -d /tmp/tracekit-demo.XXXXXX) || die "mktemp failed"
SERVER= CLIENT= TRACER= NOTE=
cleanup() {
	for p in $TRACER $CLIENT $SERVER; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Private copies: tracing by path counts every process of that file, and the tests may be
# running tests/targets/bin/rpcx-server at the same time.
cp "$T/rpcx-server" "$DIR/server" && cp "$T/rpcx-client" "$DIR/client" || die "copy failed"
mkdir "$DIR/bin"
for t in tracekit funccount funclatency funcslower tcptracer; do ln -s "$TK" "$DIR/bin/$t"; done
PATH=$DIR/bin:$PATH
cd "$DIR"

if [ -t 1 ]; then
	B=$(printf '\033[1m') N=$(printf '\033[0m')
else
	B= N=
fi

# start_server ADDR: ./server on ADDR (its stdout, "C= 200" per call, to server.log); sets
# SERVER and LISTEN, the address it listens on.
start_server() {
	./server -addr "$1" >server.log 2>server.err &
	SERVER=$!
	i=0
	while [ $i -lt 200 ]; do
		LISTEN=$(sed -n 's/^listening on //p' server.log)
		[ -n "$LISTEN" ] && return 0
		kill -0 "$SERVER" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	wait "$SERVER" 2>/dev/null
	SERVER=
	return 1
}
if ! start_server "127.0.0.1:$PORT"; then
	grep -q "address already in use" server.err || { cat server.err >&2; die "the server did not start"; }
	echo "demo: port $PORT is taken; the server listens on a free port instead"
	start_server "127.0.0.1:0" || { cat server.err >&2; die "the server did not start"; }
fi
./client -addr "$LISTEN" >client.log 2>&1 &
CLIENT=$!

# header TITLE: a step's title, and NOTE (if set) under it.
header() {
	printf '\n%s### %s%s\n' "$B" "$1" "$N"
	[ -z "$NOTE" ] || printf '(%s)\n' "$NOTE"
	NOTE=
}

# step SECS TITLE, the command on stdin: print TITLE and the command, run it; SECS > 0: send
# it SIGINT (Ctrl-C) after SECS seconds, as the article stops its commands that have no -d.
step() {
	secs=$1 cmd=$(cat)
	header "$2"
	printf '# %s\n' "$cmd"
	if [ "$secs" = 0 ]; then
		eval "$cmd"
	else
		eval "timeout --foreground -s INT $secs $cmd"
	fi
}

printf '%sThe article'"'"'s rpcx service (rpcx %s):%s ./server listening on %s, ./client\n' \
	"$B" "$RPCX" "$N" "$LISTEN"
printf 'calling Arith.Mul(10, 20) once a second. Every command below is the article'"'"'s.\n'
sleep 1

step 0 "The traced function's name in the symbol table" <<'EOF'
objdump -t server|grep Mul|grep main
EOF
step 0 "funccount: calls of Arith.Mul in 10 s" <<'EOF'
funccount -d 10 './server:main.*.Mul'
EOF
step 11 "funccount: every 5 s, with the time (Ctrl-C after 11 s)" <<'EOF'
funccount -Ti 5 './server:main.*.Mul'
EOF
step 0 "funccount: Go's GC functions" <<'EOF'
funccount -d 10 './server:runtime.*.gc*'
EOF
step 0 "funccount: Go's scheduler" <<'EOF'
funccount -d 10 './server:runtime.schedule'
EOF
step 0 "funclatency: how long Arith.Mul takes" <<'EOF'
funclatency -d 10 './server:main.*.Mul'
EOF
step 4 "funcslower: calls over 10 us (Ctrl-C after 4 s)" <<'EOF'
funcslower -u 10 './server:main.(*Arith).Mul'
EOF
step 2 "funcslower: with user and kernel stacks (Ctrl-C after 2 s)" <<'EOF'
funcslower -UK -u 10 './server:main.(*Arith).Mul'
EOF

header "tcptracer: a new ./client connects, calls twice, exits (then Ctrl-C)"
printf '# %s\n' "tcptracer"
tcptracer >tcptracer.out 2>&1 &
TRACER=$!
i=0
while [ $i -lt 200 ] && ! grep -q '^Tracing' tcptracer.out && kill -0 $TRACER 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
./client -addr "$LISTEN" -n 2 >/dev/null 2>&1
sleep 0.5
kill -INT $TRACER 2>/dev/null
wait $TRACER 2>/dev/null
TRACER=
cat tcptracer.out

step 3 "bpftrace's one-liner, through tracekit -e: Mul's arguments (Ctrl-C after 3 s)" <<'EOF'
tracekit -e 'uprobe:./server:main.*.Mul {printf("%s - %s: arg1: %d, arg2: %d\n", comm, func, arg0, arg1)}'
EOF

# The article found +92 by disassembling its build: the first instruction after Mul has
# stored reply.C, whose value is then still in the register it was stored from (arg0 there).
# The same for this build: find the store into *reply (Go passes reply in R8).
set -- $(objdump -d --no-show-raw-insn server | awk '
	/^[0-9a-f]+ <main\.\(\*Arith\)\.Mul>:$/ { on = 1; next }
	on && /^$/ { exit }
	on {
		sub(":", "", $1)
		if (start == "") start = $1
		if (reg != "") { print start, $1, reg; exit }
		if ($2 == "mov" && $3 ~ /^%[a-z0-9]+,\(%r8\)$/) reg = substr($3, 2, index($3, ",") - 2)
	}')
[ $# = 3 ] || die "could not find the store of reply.C in main.(*Arith).Mul"
OFF=$((0x$2 - 0x$1)) REG=$3
case $REG in
rdi) ARG=arg0 ;;
rsi) ARG=arg1 ;;
rdx) ARG=arg2 ;;
rcx) ARG=arg3 ;;
r8) ARG=arg4 ;;
r9) ARG=arg5 ;;
*) ARG="reg(\"$REG\")" ;;
esac
NOTE="+$OFF is computed for this build: Mul stores reply.C from %$REG; Mul+$OFF is the next instruction"
step 3 "bpftrace's +OFFSET one-liner, through tracekit -e: the reply (Ctrl-C after 3 s)" <<EOF
tracekit -e 'uprobe:./server:main.*.Mul+$OFF {printf("%s - %s: reply: %d\n", comm, func, $ARG)}'
EOF
exit 0
