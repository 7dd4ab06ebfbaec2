#!/usr/bin/env python3
"""orch's footprint: start-up, memory, `orch ctl ps` round trip and size, for one
orch binary or two (--before, e.g. a build of an older commit), against a static
Swift hello world measured in the same run.

1. Start-up: `orch --version` and `orch check` (a four-process orch.yaml) against
   the hello world, with hyperfine when it is installed (else a median of
   --runs runs timed here). Target: `--version` <= 1.8 x hello world.
2. RSS with 50 idle children (`exec sleep 1000`): VmRSS and RssAnon of orch's
   main process once every child runs `sleep`. Target: <= 11 MiB.
3. `orch ctl ps` round trip with 10 processes (client start included), with
   hyperfine (mean) or a median of --runs runs. Target: <= 5 ms.
4. Binary size, and the shared libraries it needs at run time besides libc.
   Target: <= 30 MB.
"""
import argparse, json, os, re, signal, statistics, subprocess, sys, tempfile, time

PID_RE = re.compile(rb"started \(pid (\d+)\)")


def log(message):
    print(message, file=sys.stderr, flush=True)


def wait_for(what, condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def stop(process, pids=()):
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    for pid in pids:  # anything orch left behind, by pid
        if comm(pid) == "sleep":
            log(f"   left running: {pid}")
            os.kill(pid, signal.SIGKILL)
    return code


def start_times(binaries, hello, project, runs, rounds=11):
    """Mean ms of each command and its ratio to hello world. With hyperfine: `rounds`
    short hyperfine runs over all the commands, back to back, so a change of load
    on a shared machine moves a round's baseline with it; each figure is the median
    over the rounds, each ratio the median of the per-round ratios."""
    commands = [("hello", [hello])]
    for label, path in binaries:
        commands.append((f"{label} --version", [path, "--version"]))
        commands.append((f"{label} check", [path, "check"]))
    if has_hyperfine():
        out = os.path.join(project, "hyperfine.json")
        means = {name: [] for name, _ in commands}
        cpus = {name: [] for name, _ in commands}
        for _ in range(rounds):
            argv = ["hyperfine", "-N", "--warmup", "5", "--runs", str(max(runs, 30)), "--export-json", out, "--style", "none"]
            for name, command in commands:
                argv += ["-n", name, " ".join(command)]
            subprocess.run(argv, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            with open(out) as f:
                for r in json.load(f)["results"]:
                    means[r["command"]].append(r["mean"] * 1000)
                    cpus[r["command"]].append((r["user"] + r["system"]) * 1000)
        ratios = {name: statistics.median(m / h for m, h in zip(means[name], means["hello"])) for name in means}
        cpu_ratios = {name: statistics.median(c / h for c, h in zip(cpus[name], cpus["hello"])) for name in cpus}
        how = f"hyperfine, {rounds} rounds of {max(runs, 30)} runs each; median of the rounds' means and of the per-round ratios"
        return how, {name: statistics.median(m) for name, m in means.items()}, ratios, \
            {name: statistics.median(c) for name, c in cpus.items()}, cpu_ratios
    log("hyperfine not found: timing start-up here (median), less precise")
    times = {name: [] for name, _ in commands}
    for _ in range(max(runs, 50)):
        for name, command in commands:  # interleaved, so load affects all alike
            start = time.perf_counter()
            subprocess.run(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - start) * 1000)
    medians = {name: statistics.median(t) for name, t in times.items()}
    return "median", medians, {name: m / medians["hello"] for name, m in medians.items()}, None, None


def idle_rss(orch, project, env):
    with open(os.path.join(project, "Procfile.idle"), "w") as f:
        for i in range(50):
            f.write(f"p{i:02d}: exec sleep 1000\n")
    run_dir = os.path.join(project, "run")
    os.makedirs(run_dir, exist_ok=True)
    env = dict(env, XDG_RUNTIME_DIR=run_dir)  # as `orch up` runs: control port on
    process = subprocess.Popen([orch, "up", "--color", "never", "-f", "Procfile.idle"], cwd=project, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pids = []
    buffer = b""
    try:
        deadline = time.monotonic() + 30
        while len(pids) < 50 and time.monotonic() < deadline:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            pids += [int(m.group(1)) for line in lines for m in [PID_RE.search(line)] if m]
        if len(pids) < 50:
            raise SystemExit(f"only {len(pids)} of 50 processes started")
        wait_for("50 children running sleep", lambda: all(comm(pid) == "sleep" for pid in pids))
        time.sleep(1)  # let start-up allocations settle; not a readiness wait
        return status_kib(process.pid, "VmRSS") / 1024, status_kib(process.pid, "RssAnon") / 1024
    finally:
        stop(process, pids)


def ctl_ps(orch, project, env, runs):
    run_dir = os.path.join(project, "run")
    os.makedirs(run_dir, exist_ok=True)
    env = dict(env, XDG_RUNTIME_DIR=run_dir)
    process = subprocess.Popen([orch, "up", "-f", "Procfile.ten"], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for("orch ctl ps to answer", lambda: subprocess.run([orch, "ctl", "ps"], cwd=project, env=env, capture_output=True).returncode == 0)
        if has_hyperfine():
            out = os.path.join(project, "ctl.json")
            subprocess.run(["hyperfine", "-N", "--warmup", "10", "--runs", str(max(runs, 50)), "--export-json", out, "--style", "none",
                            f"{orch} ctl ps"], cwd=project, env=env, stdout=subprocess.DEVNULL, check=True)
            with open(out) as f:
                return json.load(f)["results"][0]["mean"] * 1000
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([orch, "ctl", "ps"], cwd=project, env=env, stdout=subprocess.DEVNULL, check=True)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)
    finally:
        stop(process)


def has_hyperfine():
    return subprocess.run(["sh", "-c", "command -v hyperfine"], capture_output=True).returncode == 0


def runtime_libraries(path):
    """The shared libraries the binary names (DT_NEEDED), libc and libm left out."""
    result = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
    names = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", result.stdout)
    return [n for n in names if not re.match(r"(lib(c|m|pthread|dl|rt)|ld-linux.*)\.so", n)] or ["libc only"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orch", required=True)
    ap.add_argument("--before", help="an older orch binary, measured in the same run")
    ap.add_argument("--hello", required=True, help="a static Swift hello world")
    ap.add_argument("--runs", type=int, default=21)
    a = ap.parse_args()
    binaries = [("orch", os.path.realpath(a.orch))]
    if a.before:
        binaries.insert(0, ("before", os.path.realpath(a.before)))

    project = tempfile.mkdtemp(prefix="orch-footprint.")
    env = dict(os.environ, NO_COLOR="1")
    try:
        with open(os.path.join(project, "orch.yaml"), "w") as f:
            f.write("processes:\n  web: {command: exec sleep 1000, ready: {tcp: $PORT}}\n"
                    "  worker: {command: exec sleep 1000, depends_on: {web: ready}}\n"
                    "  migrate: {command: 'true', kind: job}\n  cron: exec sleep 1000\n")
        with open(os.path.join(project, "Procfile.ten"), "w") as f:
            for i in range(10):
                f.write(f"p{i}: exec sleep 1000\n")
        log("footprint: start-up (hyperfine)...")
        how, starts, ratios, cpu, cpu_ratios = start_times(binaries, a.hello, project, a.runs)
        rows = {}
        for label, path in binaries:
            log(f"footprint: {label}: idle RSS, ctl ps...")
            rss = [idle_rss(path, project, env) for _ in range(3)]
            rows[label] = {
                "rss": statistics.median(r[0] for r in rss), "anon": statistics.median(r[1] for r in rss),
                "ps": ctl_ps(path, project, env, a.runs),
                "size": os.path.getsize(path) / 1e6, "libs": runtime_libraries(path),
            }
    finally:
        subprocess.run(["rm", "-rf", project])

    hello = starts["hello"]
    ok = lambda good: "PASS" if good else "FAIL"
    print(f"footprint, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 1-min load average {os.getloadavg()[0]:.2f}; "
          f"start-up: {how}; RSS: median of 3")
    print()
    header = "| measurement | " + " | ".join(label for label, _ in binaries) + " | target |"
    print(header)
    print("|" + "---|" * (len(binaries) + 2))
    last = binaries[-1][0]
    def row(name, cells, target):
        print(f"| {name} | " + " | ".join(cells) + f" | {target} |")
    row("static Swift hello world start", [f"{hello:.2f} ms" for _ in binaries], "")
    row("`orch --version` start (÷ hello)", [f"{starts[f'{l} --version']:.2f} ms ({ratios[f'{l} --version']:.2f}×)" for l, _ in binaries],
        f"≤ 1.8× {ok(ratios[f'{last} --version'] <= 1.8)}")
    row("`orch check` start (÷ hello)", [f"{starts[f'{l} check']:.2f} ms ({ratios[f'{l} check']:.2f}×)" for l, _ in binaries], "")
    if cpu:  # user + system time: less disturbed by other load than the wall time
        row("CPU (user+sys): hello / --version / check", [f"{cpu['hello']:.2f} / {cpu[f'{l} --version']:.2f} ({cpu_ratios[f'{l} --version']:.2f}×) / {cpu[f'{l} check']:.2f} ms" for l, _ in binaries], "")
    row("RSS, 50 idle children", [f"{rows[l]['rss']:.1f} MiB" for l, _ in binaries], f"≤ 11 MiB {ok(rows[last]['rss'] <= 11)}")
    row("of which anonymous", [f"{rows[l]['anon']:.1f} MiB" for l, _ in binaries], "")
    row("`orch ctl ps` round trip, 10 processes", [f"{rows[l]['ps']:.1f} ms" for l, _ in binaries], f"≤ 5 ms {ok(rows[last]['ps'] <= 5)}")
    row("binary size", [f"{rows[l]['size']:.1f} MB" for l, _ in binaries], f"≤ 30 MB {ok(rows[last]['size'] <= 30)}")
    row("shared libraries besides libc, libm", [", ".join(rows[l]["libs"]) for l, _ in binaries], "")


if __name__ == "__main__":
    main()
