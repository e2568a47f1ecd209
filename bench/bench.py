#!/usr/bin/python3
"""tracekit vs bpftrace vs a minimal libbpf program, in one run. See bench/README.md.

Usage: bench/run.sh (or: python3 bench/bench.py [--quick]) from anywhere.
Environment: BENCH_N (calls per per-hit run, default 100000), BENCH_REPS (default 3),
BENCH_RUNS (start-up runs per tracer, default 5).
"""

import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILT_TARGETS = ROOT / "tests" / "targets" / "bin"
# Private copies: a probe on a path counts every process running that file, and on a shared
# machine the e2e tests may be running the same targets at the same time.
TARGETS = ROOT / "build" / "bench" / "bin"
TRACEKIT = ROOT / "build" / "tracekit"
MINIMAL = ROOT / "build" / "bench" / "count"
BPFTRACE = shutil.which("bpftrace")
BPFTRACE_NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

QUICK = "--quick" in sys.argv
N = int(os.environ.get("BENCH_N", 20000 if QUICK else 100000))
REPS = int(os.environ.get("BENCH_REPS", 1 if QUICK else 3))
RUNS = int(os.environ.get("BENCH_RUNS", 2 if QUICK else 5))
READY_TIMEOUT = 20.0


T_START = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T_START:6.1f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# A process whose output lines are timestamped as they arrive.


class Proc:
    def __init__(self, argv, env=None):
        self.t0 = time.monotonic()
        full_env = dict(os.environ, **(env or {}))
        self.p = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            start_new_session=True,
        )
        self.lines = []  # (seconds since launch, stream, text)
        self.cond = threading.Condition()
        self.open_streams = 2
        self.resent = 0  # signals repeated by stop()
        for name, pipe in (("out", self.p.stdout), ("err", self.p.stderr)):
            threading.Thread(target=self._read, args=(name, pipe), daemon=True).start()

    def _read(self, name, pipe):
        for raw in iter(pipe.readline, b""):
            t = time.monotonic() - self.t0
            with self.cond:
                self.lines.append((t, name, raw.decode("utf-8", "replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.open_streams -= 1
            self.cond.notify_all()

    def wait_for(self, regex, timeout=READY_TIMEOUT):
        """Seconds from launch to the first line matching regex, or None if it never came."""
        pat = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, _, text in self.lines:
                    if pat.search(text):
                        return t
                if self.open_streams == 0 or time.monotonic() > deadline:
                    return None
                self.cond.wait(0.05)

    def text(self, stream=None):
        with self.cond:
            return "\n".join(x for _, s, x in self.lines if stream in (None, s))

    def vmhwm_kb(self):
        try:
            status = Path(f"/proc/{self.p.pid}/status").read_text()
        except OSError:
            return 0
        m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        return int(m.group(1)) if m else 0

    def stop(self, sig=signal.SIGINT, timeout=60):
        """Signal, wait; return (seconds from signal to exit, peak VmHWM in kB seen)."""
        peak = self.vmhwm_kb()
        t = time.monotonic()
        last = t
        if self.p.poll() is None:
            self.p.send_signal(sig)
        while self.p.poll() is None:
            peak = max(peak, self.vmhwm_kb())  # sample until the very end
            now = time.monotonic()
            if now - t > timeout:
                self.kill()
                break
            if now - last > 2.0 and sig != signal.SIGKILL:
                # bpftrace 0.17 sometimes misses a SIGINT that comes right after it
                # attached; repeat it (counted, and shown under the table).
                self.resent += 1
                last = now
                self.p.send_signal(sig)
            time.sleep(0.002)
        dt = time.monotonic() - t
        with self.cond:
            while self.open_streams:
                self.cond.wait(1)
        return dt, peak

    def kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()


# ---------------------------------------------------------------------------------------
# The three tracers, each counting the hits of one function.


class Tracer:
    name = ""
    ready = ""  # regex of the line saying the probes are attached
    env = None

    def available(self):
        """None if usable, else why not."""
        return None

    def argv(self, binary, func):
        raise NotImplementedError

    def count(self, proc):
        """Hits the tracer reports after it stopped, or None."""
        raise NotImplementedError

    def start(self, binary, func):
        proc = Proc(self.argv(binary, func), self.env)
        t = proc.wait_for(self.ready)
        if t is None:
            proc.stop(signal.SIGKILL)
            err = proc.text().strip().splitlines()
            raise RuntimeError(err[-1] if err else "no output")
        return proc, t


class Minimal(Tracer):
    name = "minimal"
    ready = r"^attached$"

    def available(self):
        return None if MINIMAL.exists() else f"{MINIMAL} not built (make -C bench)"

    def argv(self, binary, func):
        return [MINIMAL, binary, func]

    def count(self, proc):
        m = re.search(r"^hits=(\d+)$", proc.text("out"), re.M)
        return int(m.group(1)) if m else None


class Tracekit(Tracer):
    name = "tracekit"
    ready = r"^Tracing \d+ functions? for "

    def available(self):
        if not TRACEKIT.exists():
            return f"{TRACEKIT} not built"
        return None

    def argv(self, binary, func):
        return [TRACEKIT, "funccount", f"{binary}:{func}"]

    def count(self, proc):
        # FUNC COUNT rows between the header and "Detaching..."; sum them all.
        total, rows = 0, False
        for line in proc.text("out").splitlines():
            if re.match(r"^FUNC\s+COUNT$", line.strip()):
                rows = True
                continue
            m = re.match(r"^\s*(\S.*?)\s+(\d+)$", line)
            if rows and m:
                total += int(m.group(2))
        return total if rows else None


class Bpftrace(Tracer):
    name = "bpftrace"
    # "Attaching N probes..." comes *before* attaching; the notify line comes after.
    ready = BPFTRACE_NOTIFY
    env = {BPFTRACE_NOTIFY: "1"}

    def available(self):
        return None if BPFTRACE else "bpftrace not installed"

    def argv(self, binary, func):
        return [BPFTRACE, "-e", f"uprobe:{binary}:{func} {{ @ = count(); }}"]

    def count(self, proc):
        m = re.search(r"^@: (\d+)$", proc.text("out"), re.M)
        return int(m.group(1)) if m else None


TRACERS = [Minimal(), Tracekit(), Bpftrace()]

# ---------------------------------------------------------------------------------------
# Measurements


def run_target(argv):
    """Run a target to completion; its user+system CPU seconds (the uprobe work is charged
    to the traced process, and CPU time is less disturbed by other load than wall time)."""
    p = subprocess.Popen([str(a) for a in argv], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited with {p.returncode}")
    return ru.ru_utime + ru.ru_stime


def prologue_jbe(binary, func):
    """FUNC+0xOFF of the first JBE in a Go function (its stack check), or None."""
    objdump = shutil.which("objdump")
    if not objdump:
        return None
    dis = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", f"--disassemble={func}", str(binary)],
        capture_output=True, text=True,
    ).stdout
    start = re.search(rf"^([0-9a-f]+) <{re.escape(func)}>:", dis, re.M)
    jbe = re.search(r"^\s*([0-9a-f]+):\s+jbe\s", dis, re.M)
    if not start or not jbe:
        return None
    return f"{func}+{int(jbe.group(1), 16) - int(start.group(1), 16):#x}"


def per_hit(label, binary, func, argv, tracers=None):
    """ns per hit for each tracer: (median traced CPU - median untraced CPU) / N."""
    log(f"per-hit: {label}: untraced x{REPS}")
    base = statistics.median(run_target(argv) for _ in range(REPS))
    res = {"untraced_cpu_s": base}
    for tr in tracers or TRACERS:
        why = tr.available()
        if why:
            res[tr.name] = {"error": why}
            continue
        log(f"per-hit: {label}: {tr.name} x{REPS}")
        try:
            proc, _ = tr.start(binary, func)
        except RuntimeError as e:
            res[tr.name] = {"error": str(e)}
            continue
        cpu = [run_target(argv) for _ in range(REPS)]
        proc.stop()
        counted = tr.count(proc)
        med = statistics.median(cpu)
        res[tr.name] = {
            "ns_per_hit": (med - base) / N * 1e9,
            "cpu_s": med,
            "counted": counted,
            "expected": N * REPS,
        }
    return res


def startup(binary, func, glob):
    """Launch -> attached (ms), peak RSS (kB) and SIGINT -> exit (ms), medians of RUNS.
    The minimal program takes the exact symbol func, the others the glob, as in the article."""
    out = {}
    for tr in TRACERS:
        why = tr.available()
        if why:
            out[tr.name] = {"error": why}
            continue
        log(f"start-up: {tr.name} x{RUNS}")
        ready, rss, exit_s, attaching, resent = [], [], [], [], 0
        try:
            for _ in range(RUNS):
                proc, t = tr.start(binary, func if tr.name == "minimal" else glob)
                a = proc.wait_for(r"^Attaching \d+ probe", timeout=0) if tr.name == "bpftrace" else None
                time.sleep(0.2)
                dt, peak = proc.stop()
                resent += proc.resent
                ready.append(t * 1e3)
                rss.append(peak)
                exit_s.append(dt * 1e3)
                if a is not None:
                    attaching.append(a * 1e3)
        except RuntimeError as e:
            out[tr.name] = {"error": str(e)}
            continue
        out[tr.name] = {
            "attached_ms": statistics.median(ready),
            "peak_rss_kb": statistics.median(rss),
            "exit_ms": statistics.median(exit_s),
            "sigint_resent": resent,
        }
        if attaching:
            out[tr.name]["attaching_line_ms"] = statistics.median(attaching)
    return out


def many(binary, pattern):
    """attach + detach of a glob matching ~1000 Go runtime functions."""
    out = {}
    tk = Tracekit()
    why = tk.available()
    if why:
        out["tracekit"] = {"error": why}
    else:
        log(f"runtime.*: tracekit x3")
        att, det, nfunc = [], [], None
        try:
            for _ in range(3):
                proc, t = tk.start(binary, pattern)
                m = re.search(r"^Tracing (\d+) functions?", proc.text("out"), re.M)
                nfunc = int(m.group(1)) if m else None
                dt, _ = proc.stop()
                att.append(t * 1e3)
                det.append(dt * 1e3)
            out["tracekit"] = {
                "attach_ms": statistics.median(att),
                "detach_ms": statistics.median(det),
                "functions": nfunc,
            }
        except RuntimeError as e:
            out["tracekit"] = {"error": str(e)}
    if BPFTRACE:
        log("runtime.*: bpftrace (expected to refuse)")
        bt = Bpftrace()
        proc = Proc(bt.argv(binary, pattern), bt.env)
        t = proc.wait_for(bt.ready, timeout=30)
        if t is None:
            proc.stop(signal.SIGKILL)
            err = [l for l in proc.text("err").splitlines() if "RLIMIT_MEMLOCK" not in l]
            out["bpftrace"] = {"error": err[0] if err else "failed without a message"}
        else:
            dt, _ = proc.stop(timeout=300)
            out["bpftrace"] = {"attach_ms": t * 1e3, "detach_ms": dt * 1e3}
    out["minimal"] = {"error": "one uprobe only, by design"}
    return out


# ---------------------------------------------------------------------------------------
# Report


def ratio(x, ref):
    return f" ({x / ref:.2f}x)" if ref and ref > 0 and x is not None else ""


def cell(d, key, fmt, ref=None):
    if "error" in d:
        return "n/a"
    v = d.get(key)
    if v is None:
        return "?"
    return fmt.format(v) + (ratio(v, ref) if ref is not None else "")


def report(res):
    names = [t.name for t in TRACERS]
    rows = []
    jbe = res["per_hit"].get("jbe")
    for label in ("C tk_add (cprog-gcc)", "Go main.f (gostress leaf)", "jbe"):
        r = res["per_hit"].get(label)
        if label == "jbe":
            if not r:
                continue
            label = f"Go, minimal on {r['site']}"
            r = {**res["per_hit"]["Go main.f (gostress leaf)"], "minimal": r["minimal"]}
            r["bpftrace"] = {"error": "Debian's bpftrace refuses FUNC+OFFSET"}
        ref = r["minimal"].get("ns_per_hit")
        rows.append(
            [f"per-hit ns, {label}"]
            + [cell(r[n], "ns_per_hit", "{:.0f}", ref if n != "minimal" else None) for n in names]
            + ["<= 1.1x minimal"]
        )
    s = res["startup"]
    ref_t = s["minimal"].get("attached_ms")
    ref_r = s["minimal"].get("peak_rss_kb")
    rows.append(
        ["start-up to attached, ms"]
        + [cell(s[n], "attached_ms", "{:.1f}", ref_t if n != "minimal" else None) for n in names]
        + ["<= 30 ms"]
    )
    rows.append(
        ["peak RSS, MB"]
        + [
            cell({k: v / 1024 for k, v in s[n].items()} if "error" not in s[n] else s[n],
                 "peak_rss_kb", "{:.1f}", ref_r / 1024 if (ref_r and n != "minimal") else None)
            for n in names
        ]
        + ["< 10 MB"]
    )
    rows.append(
        ["SIGINT to exit, ms"] + [cell(s[n], "exit_ms", "{:.1f}") for n in names] + [""]
    )
    m = res["many"]

    def many_cell(d):
        if "error" in d:
            return "n/a"
        return f"{d['attach_ms'] + d['detach_ms']:.0f}"

    rows.append(["runtime.* attach+detach, ms"] + [many_cell(m.get(n, {"error": ""})) for n in names] + ["< 1000 ms"])

    head = ["", *names, "target"]
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in [head] + rows]
    print()
    print(f"tracekit bench: {res['machine']}")
    print(f"per-hit: N={N} calls x {REPS} runs, CPU time of the target; start-up/RSS: median of {RUNS}; ratios vs minimal")
    print()
    print("\n".join(lines))
    print()
    # Details and explanations of any n/a.
    for label, r in res["per_hit"].items():
        if label == "jbe":
            d = r["minimal"]
            if "error" in d:
                print(f"  per-hit minimal on {r['site']}: n/a: {d['error']}")
            continue
        for n in names:
            d = r[n]
            if "error" in d:
                print(f"  per-hit {label}, {n}: n/a: {d['error']}")
            elif d.get("counted") is not None and d["counted"] != d["expected"]:
                print(f"  per-hit {label}, {n}: counted {d['counted']} hits for {d['expected']} calls")
            elif d.get("counted") is None:
                print(f"  per-hit {label}, {n}: count not found in its output")
    for n in names:
        if "error" in s[n]:
            print(f"  start-up {n}: n/a: {s[n]['error']}")
    for n in names:
        if s[n].get("sigint_resent"):
            print(f"  start-up {n}: ignored SIGINT {s[n]['sigint_resent']} time(s) in {RUNS} runs "
                  "(it was repeated every 2 s; the exit median includes those waits)")
    if "attaching_line_ms" in s.get("bpftrace", {}):
        print(f"  bpftrace prints 'Attaching' at {s['bpftrace']['attaching_line_ms']:.1f} ms, "
              "before attaching; its column is to the probes-attached notification")
    for n in names:
        d = m.get(n, {})
        if "error" in d:
            print(f"  runtime.* {n}: n/a: {d['error']}")
        elif d:
            extra = f", {d['functions']} functions" if d.get("functions") else ""
            print(f"  runtime.* {n}: attach {d['attach_ms']:.0f} ms, detach {d['detach_ms']:.0f} ms{extra}")


def main():
    sys.stdout.reconfigure(line_buffering=True)
    # Started from a shell without job control, we (and so the tracers) would ignore SIGINT.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    TARGETS.mkdir(parents=True, exist_ok=True)
    for need in ("rpcserver", "rpcclient", "gostress", "cprog-gcc"):
        if not (BUILT_TARGETS / need).exists():
            sys.exit(f"bench: {BUILT_TARGETS / need} missing: run `make targets`")
        shutil.copy2(BUILT_TARGETS / need, TARGETS / need)
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (uprobes)")
    load = os.getloadavg()[0]
    res = {
        "machine": f"Linux {platform.release()}, {os.cpu_count()} CPUs, load {load:.2f} at start",
        "n": N,
        "reps": REPS,
        "runs": RUNS,
    }
    t0 = time.monotonic()
    res["per_hit"] = {
        "C tk_add (cprog-gcc)": per_hit(
            "C tk_add", TARGETS / "cprog-gcc", "tk_add", [TARGETS / "cprog-gcc", N]
        ),
        "Go main.f (gostress leaf)": per_hit(
            "Go main.f", TARGETS / "gostress", "main.f",
            [TARGETS / "gostress", "-mode", "leaf", "-n", N, "-g", 1],
        ),
    }
    # The minimal program at the instruction tracekit's Go entry probe uses (the stack
    # check's JBE, which the kernel emulates instead of single-stepping): same site, so the
    # ratio is the cost of tracekit's BPF program against the bare minimum.
    site = prologue_jbe(TARGETS / "gostress", "main.f")
    if site:
        r = per_hit(
            f"Go {site}", TARGETS / "gostress", site,
            [TARGETS / "gostress", "-mode", "leaf", "-n", N, "-g", 1], tracers=[Minimal()],
        )
        res["per_hit"]["jbe"] = {"site": site, "minimal": r["minimal"]}
    # Start-up and runtime.* run against the live RPC service of the article, under load.
    port = 20000 + os.getpid() % 20000
    server = Proc([TARGETS / "rpcserver", "-addr", f"127.0.0.1:{port}"])
    if server.wait_for(r"^listening on ", timeout=10) is None:
        server.kill()
        sys.exit("bench: rpcserver did not start: " + server.text())
    client = Proc([TARGETS / "rpcclient", "-addr", f"127.0.0.1:{port}", "-n", 0, "-rate", 200])
    try:
        res["startup"] = startup(TARGETS / "rpcserver", "main.(*Arith).Mul", "main.*.Mul")
        res["many"] = many(TARGETS / "rpcserver", "runtime.*")
    finally:
        client.stop(signal.SIGTERM)
        server.stop(signal.SIGTERM)
    res["seconds"] = time.monotonic() - t0
    report(res)
    out = ROOT / "build" / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, default=str) + "\n")
    print(f"\n(bench took {res['seconds']:.0f} s; raw numbers in {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
