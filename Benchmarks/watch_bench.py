#!/usr/bin/env python3
"""Watch set-up time and inotify watch count for a large tree.

A project of 50 000 files: 40 000 under a git-ignored `node_modules/` (2 000
packages × 2 directories × 10 files) and 10 000 in `src/` (500 directories × 20
files), one process watching the whole project (`watch: [.]`). Three ways, each
run 3 times in rounds (one of each per round) and reported as the median:

- `gitignore` (the default): node_modules is not walked or watched;
- `gitignore: false`: every directory is watched;
- `--no-watch` (the baseline): nothing but the config's own directory.

Set-up time is the time from starting orch to its process's first line, minus the
baseline's; the watch count is read from `/proc/PID/fdinfo` of orch's inotify fd.
Usage: watch_bench.py path/to/orch
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

FILES_IGNORED = 40_000
FILES_SOURCE = 10_000


def build_tree(root):
    for p in range(2_000):
        for part in ("lib", "test"):
            d = os.path.join(root, "node_modules", f"pkg{p}", part)
            os.makedirs(d)
            for f in range(10):
                with open(os.path.join(d, f"f{f}.js"), "w") as out:
                    out.write("x\n")
    for s in range(500):
        d = os.path.join(root, "src", f"mod{s // 25}", f"part{s}")
        os.makedirs(d)
        for f in range(20):
            with open(os.path.join(d, f"f{f}.c"), "w") as out:
                out.write("x\n")
    with open(os.path.join(root, ".gitignore"), "w") as out:
        out.write("node_modules/\n")


def write_config(root, gitignore):
    with open(os.path.join(root, "orch.yaml"), "w") as out:
        out.write("processes:\n  web:\n    command: echo up; exec sleep 1000\n"
                  f"    watch: {{ paths: [.], gitignore: {'true' if gitignore else 'false'} }}\n")


def watches(pid):
    total = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:inotify":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                total += sum(1 for line in info if line.startswith("inotify wd:"))
        except OSError:
            pass
    return total


def run(orch, root, args):
    """Starts orch, returns (seconds to the first line of the process, watch count)."""
    env = dict(os.environ, NO_COLOR="1", XDG_RUNTIME_DIR=root)
    start = time.perf_counter()
    proc = subprocess.Popen([orch, "up", "--no-control", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for raw in proc.stdout:
            if b"| up" in raw:
                elapsed = time.perf_counter() - start
                break
        else:
            raise SystemExit("orch ended before its process started")
        count = watches(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return elapsed, count


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: watch_bench.py path/to/orch")
    orch = os.path.realpath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="orch-watch-bench.")
    try:
        t = time.perf_counter()
        build_tree(root)
        print(f"tree of {FILES_IGNORED + FILES_SOURCE} files built in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        results = {"gitignore": [], "gitignore: false": [], "--no-watch": []}
        for round in range(3):
            for name in results:
                write_config(root, gitignore=name != "gitignore: false")
                elapsed, count = run(orch, root, ["--no-watch"] if name == "--no-watch" else [])
                results[name].append((elapsed, count))
                print(f"round {round + 1} {name}: {elapsed * 1000:.0f} ms, {count} watches", file=sys.stderr)
        base = statistics.median(e for e, _ in results["--no-watch"])
        load = os.getloadavg()[0]
        print(f"watch set-up, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
              f"{FILES_IGNORED + FILES_SOURCE} files ({FILES_IGNORED} under a git-ignored node_modules/), "
              f"median of 3; 1-min load {load:.2f}\n")
        print("| watch                      | start to first line | set-up (minus --no-watch) | inotify watches |")
        print("|----------------------------|---------------------|---------------------------|-----------------|")
        for name, runs in results.items():
            elapsed = statistics.median(e for e, _ in runs)
            count = statistics.median(c for _, c in runs)
            setup = "–" if name == "--no-watch" else f"{(elapsed - base) * 1000:.0f} ms"
            print(f"| {name:<26} | {elapsed * 1000:>15.0f} ms | {setup:>25} | {count:>15.0f} |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
