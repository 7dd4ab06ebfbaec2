#!/usr/bin/env python3
"""orch benchmarks: log throughput, idle cost, start-up of 100 processes.

Called by Benchmarks/run.sh, which compiles writer.c and linecheck.c into a temp dir.
Every figure is the median of RUNS runs, and every orch figure is printed next to a
baseline measured in the same run (a bare pipe, a bare shell) and next to honcho.

Clean-up: this process makes itself a child subreaper, so anything a supervisor
leaves behind when it exits is re-parented here. After every run the orphans are
counted (and reported), killed by pid and reaped; pids announced by the supervisors
("started (pid N)") are checked too. Nothing is ever killed by name.
"""
import argparse
import ctypes
import datetime
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import threading
import time

RUNS = 3
# The throughput rounds last ~0.15 s each, so a shared machine's noise needs more of them.
THROUGHPUT_RUNS = 7
CLK_TCK = os.sysconf("SC_CLK_TCK")
MYPID = os.getpid()
PID_RE = re.compile(rb"started \(pid[ =](\d+)\)")

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    print("warning: could not become a child subreaper; orphans may go unnoticed", file=sys.stderr)

problems = []       # human-readable failures, printed after the table
live_popens = set()  # pids of processes this script started and still owns


def note(msg):
    problems.append(msg)
    print("  !! " + msg, file=sys.stderr, flush=True)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- /proc helpers

def stat_fields(pid):
    """(state, ppid, utime+stime seconds) from /proc/PID/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    rest = data.rsplit(b")", 1)[1].split()
    return rest[0].decode(), int(rest[1]), (int(rest[11]) + int(rest[12])) / CLK_TCK


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def ctx_switches(pid):
    """Voluntary + involuntary context switches summed over every thread of pid."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for l in f:
                    if l.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(l.split()[1])
        except OSError:
            pass
    return total


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for l in f:
                if l.startswith(key + ":"):
                    return int(l.split()[1])
    except OSError:
        pass
    return None


def my_orphans():
    """Processes whose parent is this script but that it did not start itself."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        st = stat_fields(pid)
        if st and st[1] == MYPID and pid not in live_popens:
            out.append((pid, st[0]))
    return out


def cleanup(label, tracked):
    """After a supervisor has exited: report and remove whatever it left behind."""
    alive, zombies = [], 0
    for pid, state in my_orphans():
        if state == "Z":
            zombies += 1
        else:
            alive.append(f"{pid} {comm(pid)} ({cmdline(pid)[:60]})")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    # Announced pids that escaped even the subreaper (e.g. re-parented elsewhere).
    for pid in tracked:
        st = stat_fields(pid)
        if st and st[0] != "Z" and "sleep" in cmdline(pid) and st[1] != MYPID:
            alive.append(f"{pid} {comm(pid)} ({cmdline(pid)[:60]}) ppid {st[1]}")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if alive:
        note(f"{label}: {len(alive)} process(es) still running after the supervisor exited: "
             + "; ".join(alive[:5]))
    return len(alive), zombies


# ---------------------------------------------------------------- process helpers

def spawn(args, **kw):
    p = subprocess.Popen(args, **kw)
    live_popens.add(p.pid)
    return p


def reap(p, timeout):
    """Wait for p; returns False (after SIGKILL) if it did not exit in time."""
    try:
        p.wait(timeout=timeout)
        ok = True
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        ok = False
    live_popens.discard(p.pid)
    return ok


class LineReader:
    """Reads lines from an fd with deadlines, without blocking past them."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""
        self.eof = False

    def lines_until(self, deadline, want):
        """Feeds complete lines to want(line) until it returns True; False on timeout/EOF."""
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if want(line):
                    return True
            if self.eof:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    self.eof = True
                self.buf += chunk

    def drain_in_background(self):
        def run():
            while True:
                try:
                    if not os.read(self.fd, 65536):
                        return
                except OSError:
                    return
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


def wait_running(pids, deadline):
    """Polls until every pid has exec'd `sleep` (the children are really running)."""
    pending = set(pids)
    while pending:
        pending = {p for p in pending if comm(p) != "sleep"}
        if not pending:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return True


# ---------------------------------------------------------------- tools

class Tool:
    def __init__(self, name, argv_prefix, procfile_flag, extra):
        self.name = name
        self.argv_prefix = argv_prefix
        self.procfile_flag = procfile_flag
        self.extra = extra

    def argv(self, procfile):
        return self.argv_prefix + [self.procfile_flag, procfile] + self.extra


def write_procfile(path, entries):
    with open(path, "w") as f:
        for name, cmd in entries:
            f.write(f"{name}: {cmd}\n")
    return path


def stop(tool, p, label, timeout=30):
    t = time.monotonic()
    try:
        p.send_signal(signal.SIGTERM)
    except ProcessLookupError:
        pass
    ok = reap(p, timeout)
    took = time.monotonic() - t
    if not ok:
        note(f"{label}: {tool.name} did not exit within {timeout} s of SIGTERM (killed)")
    elif p.returncode != 0 and tool.name == "orch":  # honcho exits 143 on SIGTERM by design
        note(f"{label}: {tool.name} exited with status {p.returncode} after SIGTERM (expected 0)")
    return took


# ---------------------------------------------------------------- 1. throughput

def baseline_throughput(tmp, writer, n):
    w = writer
    script = f"( {w} 1 {n} & {w} 2 {n} & {w} 3 {n} & {w} 4 {n} & wait ) | cat > /dev/null"
    t0 = time.monotonic()
    p = spawn(["sh", "-c", script])
    reap(p, 120)
    wall = time.monotonic() - t0
    cleanup("baseline throughput", [])
    return {"wall": wall, "lps": 4 * n / wall}


def tool_throughput(tool, tmp, writer, linecheck, n, run):
    label = f"throughput {tool.name} run {run}"
    procfile = write_procfile(os.path.join(tmp, f"Procfile.tp.{tool.name}"),
                              [(f"w{i}", f"{writer} {i} {n} && exec sleep 60") for i in range(1, 5)])
    errpath = os.path.join(tmp, f"check.{tool.name}.{run}.err")
    suppath = os.path.join(tmp, f"sup.{tool.name}.{run}.err")
    r, w = os.pipe()
    with open(errpath, "wb") as errf, open(suppath, "wb") as supf:
        checker = spawn([linecheck, str(4 * n), "4", str(n)], stdin=r, stdout=subprocess.PIPE, stderr=errf)
        os.close(r)
        t0 = time.monotonic_ns()
        sup = spawn(tool.argv(procfile), stdout=w, stderr=supf, stdin=subprocess.DEVNULL, cwd=tmp)
        os.close(w)
    reader = LineReader(checker.stdout.fileno())
    done = {}

    def want(line):
        if line.startswith(b"DONE "):
            done["ns"] = int(line.split()[1])
            return True
        return False

    finished = reader.lines_until(time.monotonic() + 120, want)
    cpu = None
    st = stat_fields(sup.pid)
    if st:
        cpu = st[2]
    if not finished:
        note(f"{label}: the checker never counted {4 * n} lines within 120 s (orch hung or lost lines)")
    stop(tool, sup, label)
    result = {}

    def want_result(line):
        if not line.startswith(b"RESULT"):
            return False
        for kv in line.split()[1:]:
            k, v = kv.split(b"=")
            result[k.decode()] = int(v)
        return True

    if not reader.lines_until(time.monotonic() + 30, want_result):
        note(f"{label}: the checker printed no result (the supervisor's stdout never closed?)")
    reap(checker, 10)
    with open(errpath, "rb") as f:
        err = f.read()
    tracked = [int(m) for m in PID_RE.findall(err)]
    leftovers, zombies = cleanup(label, tracked)
    torn_examples = [l for l in err.splitlines() if l.startswith(b"TORN:")]
    if result.get("torn") or result.get("missing") or result.get("dup"):
        note(f"{label}: torn={result.get('torn')} missing={result.get('missing')} dup={result.get('dup')}; "
             f"first torn: {torn_examples[:2]}")
    with open(suppath, "rb") as f:
        supstderr = f.read().strip()
    if supstderr and tool.name == "orch":
        note(f"{label}: orch wrote to stderr: {supstderr[:300]!r}")
    wall = (done["ns"] - t0) / 1e9 if "ns" in done else float("nan")
    return {"wall": wall, "lps": 4 * n / wall, "cpu": cpu, "torn": result.get("torn", -1),
            "missing": result.get("missing", -1), "dup": result.get("dup", -1),
            "leftovers": leftovers, "zombies": zombies}


# ---------------------------------------------------------------- 2. idle

def start_and_collect(tool, procfile, tmp, count, label, deadline_s=30):
    """Starts tool; returns (popen, reader, pids, t0, t_lines, t_running)."""
    t0 = time.monotonic()
    sup = spawn(tool.argv(procfile), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=tmp)
    reader = LineReader(sup.stdout.fileno())
    pids = []

    def want(line):
        m = PID_RE.search(line)
        if m:
            pids.append(int(m.group(1)))
        return len(pids) >= count

    deadline = t0 + deadline_s
    ok = reader.lines_until(deadline, want)
    t_lines = time.monotonic()
    if not ok:
        note(f"{label}: only {len(pids)} of {count} processes announced within {deadline_s} s")
    running = wait_running(pids, deadline)
    t_running = time.monotonic()
    if not running:
        note(f"{label}: not every announced child was running `sleep` within {deadline_s} s")
    return sup, reader, pids, t0, t_lines, t_running


def tool_idle(tool, tmp, window, run):
    label = f"idle {tool.name} run {run}"
    procfile = write_procfile(os.path.join(tmp, "Procfile.idle"),
                              [(f"p{i:02d}", "exec sleep 1000") for i in range(1, 51)])
    sup, reader, pids, *_ = start_and_collect(tool, procfile, tmp, 50, label)
    reader.drain_in_background()
    c0, t0 = ctx_switches(sup.pid), time.monotonic()
    time.sleep(window)  # the measurement window itself, not a readiness wait
    c1, t1 = ctx_switches(sup.pid), time.monotonic()
    rss = status_kib(sup.pid, "VmRSS")
    anon = status_kib(sup.pid, "RssAnon")
    pss = None
    try:
        with open(f"/proc/{sup.pid}/smaps_rollup") as f:
            for l in f:
                if l.startswith("Pss:"):
                    pss = int(l.split()[1])
    except OSError:
        pass
    threads = len(os.listdir(f"/proc/{sup.pid}/task"))
    stop(tool, sup, label)
    leftovers, zombies = cleanup(label, pids)
    return {"wakeups": (c1 - c0) / (t1 - t0), "switches": c1 - c0, "rss": rss / 1024,
            "anon": anon / 1024, "pss": (pss or 0) / 1024,
            "threads": threads, "leftovers": leftovers, "zombies": zombies}


# ---------------------------------------------------------------- 3. start 100

def tool_start(tool, tmp, run):
    label = f"start-100 {tool.name} run {run}"
    procfile = write_procfile(os.path.join(tmp, "Procfile.start"),
                              [(f"p{i:02d}", "exec sleep 1000") for i in range(1, 101)])
    sup, reader, pids, t0, t_lines, t_running = start_and_collect(tool, procfile, tmp, 100, label)
    reader.drain_in_background()
    took_stop = stop(tool, sup, label)
    leftovers, zombies = cleanup(label, pids)
    return {"start": t_running - t0, "lines": t_lines - t0, "stop": took_stop,
            "leftovers": leftovers, "zombies": zombies}


def baseline_start(tmp, run):
    label = f"start-100 baseline run {run}"
    script = ('i=1; while [ $i -le 100 ]; do sleep 1000 & echo "p$i started (pid $!)"; '
              'i=$((i+1)); done; wait')
    t0 = time.monotonic()
    sh = spawn(["sh", "-c", script], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=tmp)
    reader = LineReader(sh.stdout.fileno())
    pids = []

    def want(line):
        m = PID_RE.search(line)
        if m:
            pids.append(int(m.group(1)))
        return len(pids) >= 100

    deadline = t0 + 30
    if not reader.lines_until(deadline, want):
        note(f"{label}: the shell announced only {len(pids)} sleeps")
    wait_running(pids, deadline)
    t_running = time.monotonic()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    reap(sh, 10)
    cleanup(label, pids)
    return {"start": t_running - t0}


# ---------------------------------------------------------------- report

def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else float("nan")


def paired(num, den, key):
    """Median over rounds of num[i][key] / den[i][key]."""
    return statistics.median(n[key] / d[key] for n, d in zip(num, den))


def worst(rows, key):
    return max(r[key] for r in rows)


def fmt_rate(x):
    if x != x:
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.0f} k"
    return f"{x:.0f}"


def fmt_s(x):
    if x != x:
        return "–"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orch", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--linecheck", required=True)
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--honcho-lines", type=int, default=20_000)
    ap.add_argument("--idle-window", type=float, default=10.0)
    ap.add_argument("--no-honcho", action="store_true")
    a = ap.parse_args()

    a.orch = os.path.abspath(a.orch)
    orch = Tool("orch", [a.orch, "up"], "-f", ["--color", "never"])
    tools = [orch]
    honcho_version = None
    if not a.no_honcho:
        try:
            from importlib.metadata import version
            honcho_version = version("honcho")
            honcho = Tool("honcho", [sys.executable, "-c", "from honcho.command import main; main()", "start"],
                          "-f", ["--no-colour"])
            tools.append(honcho)
        except Exception:
            log("honcho is not installed: its columns are left out")
    orch_version = subprocess.run([a.orch, "--version"], capture_output=True, text=True).stdout.strip()

    load0 = open("/proc/loadavg").read().split()[0]
    R = {}
    log(f"1. log throughput: 4 writers x {a.lines} lines (honcho: 4 x {a.honcho_lines})")
    # Rounds interleave baseline, orch and honcho, so that load from other users of a
    # shared machine hits all of them alike; ratios are medians of per-round ratios.
    for k in ("tp_base", "st_base") + tuple(f"{m}_{t.name}" for m in ("tp", "idle", "st") for t in tools):
        R[k] = []
    for i in range(THROUGHPUT_RUNS):
        R["tp_base"].append(baseline_throughput(a.tmp, a.writer, a.lines))
        for t in tools:
            n = a.lines if t.name == "orch" else a.honcho_lines
            R[f"tp_{t.name}"].append(tool_throughput(t, a.tmp, a.writer, a.linecheck, n, i))
    log("   baseline: " + ", ".join(fmt_s(r["wall"]) for r in R["tp_base"]))
    for t in tools:
        log(f"   {t.name}: " + ", ".join(fmt_s(r["wall"]) for r in R[f"tp_{t.name}"]))

    log(f"2. idle: 50 x `exec sleep 1000`, {a.idle_window:.0f} s window")
    for i in range(RUNS):
        for t in tools:
            R[f"idle_{t.name}"].append(tool_idle(t, a.tmp, a.idle_window, i))
    for t in tools:
        log(f"   {t.name}: " + ", ".join(f"{r['switches']} switches, {r['rss']:.1f} MiB RSS "
                                         f"({r['anon']:.1f} anon, {r['pss']:.1f} PSS), {r['threads']} threads"
                                         for r in R[f"idle_{t.name}"]))

    log("3. start 100 x `exec sleep 1000`")
    for i in range(RUNS):
        R["st_base"].append(baseline_start(a.tmp, i))
        for t in tools:
            R[f"st_{t.name}"].append(tool_start(t, a.tmp, i))
    log("   baseline: " + ", ".join(fmt_s(r["start"]) for r in R["st_base"]))
    for t in tools:
        log(f"   {t.name}: " + ", ".join(f"{fmt_s(r['start'])} (100th line {fmt_s(r['lines'])}, "
                                         f"stop {fmt_s(r['stop'])})"
                                         for r in R[f"st_{t.name}"]))

    has_h = "tp_honcho" in R
    ok = lambda b: "PASS" if b else "FAIL"
    rows = []
    # 1. throughput
    b_lps, o_lps = med(R["tp_base"], "lps"), med(R["tp_orch"], "lps")
    h_lps = med(R["tp_honcho"], "lps") if has_h else float("nan")
    tp_ratio = paired(R["tp_orch"], R["tp_base"], "lps")
    rows.append(["1 log throughput, lines/s", fmt_rate(b_lps), fmt_rate(o_lps), f"{tp_ratio:.2f}",
                 fmt_rate(h_lps) + (" ⁽¹⁾" if has_h else ""), f"{o_lps / h_lps:.0f}×" if has_h else "–",
                 "≥ 0.90 × baseline", ok(tp_ratio >= 0.9)])
    rows.append(["1 log wall time", fmt_s(med(R["tp_base"], "wall")), fmt_s(med(R["tp_orch"], "wall")),
                 f"{paired(R['tp_orch'], R['tp_base'], 'wall'):.2f}",
                 fmt_s(med(R["tp_honcho"], "wall")) + " ⁽¹⁾" if has_h else "–", "", "", ""])
    rows.append(["1 supervisor CPU", "–", fmt_s(med(R["tp_orch"], "cpu")), "",
                 fmt_s(med(R["tp_honcho"], "cpu")) + " ⁽¹⁾" if has_h else "–", "", "", ""])
    tm = lambda k: f"{worst(R[k], 'torn')} / {worst(R[k], 'missing')}"
    rows.append(["1 torn / missing lines (worst run)", "–", tm("tp_orch"), "", tm("tp_honcho") if has_h else "–",
                 "", "0 / 0", ok(worst(R["tp_orch"], "torn") == 0 and worst(R["tp_orch"], "missing") == 0
                                 and worst(R["tp_orch"], "dup") == 0)])
    # 2. idle
    ow, orss = med(R["idle_orch"], "wakeups"), med(R["idle_orch"], "rss")
    hw = med(R["idle_honcho"], "wakeups") if has_h else float("nan")
    hrss = med(R["idle_honcho"], "rss") if has_h else float("nan")
    rows.append([f"2 idle wakeups/s, 50 children, {a.idle_window:.0f} s", "–", f"{ow:.1f}", "",
                 f"{hw:.1f}" if has_h else "–", "", "0", ok(ow < 0.15)])
    rows.append(["2 idle RSS, MiB (main process)", "–", f"{orss:.1f}", "",
                 f"{hrss:.1f}" if has_h else "–", (f"{hrss / orss:.1f}× less" if orss <= hrss else f"{orss / hrss:.2f}× more") if has_h else "", "≤ 11", ok(orss <= 11)])
    mem = lambda k: f"{med(R[k], 'anon'):.1f} / {med(R[k], 'pss'):.1f}"
    rows.append(["2 idle anon RSS / PSS, MiB", "–", mem("idle_orch"), "",
                 mem("idle_honcho") if has_h else "–", "", "", ""])
    # 3. start
    bs, os_ = med(R["st_base"], "start"), med(R["st_orch"], "start")
    hs = med(R["st_honcho"], "start") if has_h else float("nan")
    rows.append(["3 start 100 processes", fmt_s(bs), fmt_s(os_), f"{paired(R['st_orch'], R['st_base'], 'start'):.2f}",
                 fmt_s(hs) if has_h else "–", f"{hs / os_:.1f}× faster" if has_h else "",
                 "≤ 150 ms", ok(os_ <= 0.150)])
    rows.append(["3 stop 100 (SIGTERM → exit)", "–", fmt_s(med(R["st_orch"], "stop")), "",
                 fmt_s(med(R["st_honcho"], "stop")) if has_h else "–", "", "", ""])
    lo = lambda name: sum(r["leftovers"] for k in ("tp", "idle", "st") for r in R[f"{k}_{name}"])
    zo = lambda name: sum(r["zombies"] for k in ("tp", "idle", "st") for r in R[f"{k}_{name}"])
    rows.append(["all left running / orphaned after exit", "–", f"{lo('orch')} / {zo('orch')}", "",
                 f"{lo('honcho')} / {zo('honcho')}" if has_h else "–", "", "0 / 0",
                 ok(lo("orch") == 0 and zo("orch") == 0)])

    head = ["measurement", "baseline", "orch", "orch ÷ baseline", "honcho", "orch vs honcho", "target", "orch"]
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    load = open("/proc/loadavg").read().split()[:3]
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print()
    print(f"orch benchmarks, {now}, {os.cpu_count()} cores, {orch_version or 'orch'}"
          + (f", honcho {honcho_version}" if has_h else "") + f"; each figure the median of {RUNS} runs ({THROUGHPUT_RUNS} for throughput); 1-min load average {load0} at the start, {load[0]} at the end")
    print()
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()
    print("baseline: 1 = the same 4 writers into one pipe read by `cat > /dev/null`;"
          " 3 = `sh` running `sleep 1000 &` 100 times, detected the same way.")
    if has_h:
        print(f"⁽¹⁾ honcho runs 4 × {a.honcho_lines} lines (it is ~50× slower); lines/s are comparable.")
    print("orch ÷ baseline: median over the rounds of the per-round ratio (baseline and orch run back to back);")
    print("a throughput ratio (higher is better) or a time ratio (lower is better).")
    if problems:
        print()
        print("PROBLEMS:")
        for p in problems:
            print("  - " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        # Last resort (after an error or ^C): nothing this script started may outlive
        # it. Supervisors get SIGTERM first so they can stop their own children; what
        # they leave is re-parented here and killed by pid.
        for pid in list(live_popens):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 10
        live_popens.clear()
        while time.monotonic() < end:
            kids = my_orphans()
            if not kids:
                break
            for pid, state in kids:
                try:
                    if state == "Z":
                        os.waitpid(pid, 0)
                    elif time.monotonic() > end - 5:
                        os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, ChildProcessError):
                    pass
            time.sleep(0.01)
