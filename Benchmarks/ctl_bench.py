#!/usr/bin/env python3
"""`orch ctl ps` round trip and control requests per second, against baselines
measured in the same run.

1. Round trip: wall time of `orch ctl ps` (client start, state-file lookup, TCP
   connect, auth, status, table) against `orch --version` (the same binary
   starting and exiting, no connection). Target: <= 5 ms.
2. Requests/s on one authenticated connection: `status` requests sent one at a
   time (send, wait for the answer), against the same loop with `auth` (the
   cheapest request: parse, compare, answer) to show what status itself costs.
"""
import argparse, json, os, signal, socket, statistics, subprocess, sys, tempfile, time


def wait_for(what, condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


def timed(argv, env, cwd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - start) * 1000)
        if result.returncode != 0:
            raise SystemExit(f"{argv} failed: {result.stderr.decode()}")
    return statistics.median(times)


def requests_per_second(port, token, method, count):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb")
    sock.sendall(json.dumps({"id": 0, "method": "auth", "params": {"token": token}}).encode() + b"\n")
    assert b'"ok":true' in reader.readline()
    request = lambda i: json.dumps({"id": i, "method": method, "params": {"token": token}}).encode() + b"\n"
    start = time.perf_counter()
    for i in range(1, count + 1):
        sock.sendall(request(i))
        line = reader.readline()
        if b'"error"' in line and method != "auth":
            raise SystemExit(line)
    elapsed = time.perf_counter() - start
    sock.close()
    return count / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orch", required=True)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--requests", type=int, default=5000)
    args = ap.parse_args()
    args.orch = os.path.realpath(args.orch)

    project = tempfile.mkdtemp(prefix="orch-ctl-bench.")
    run_dir = os.path.join(project, "run")
    os.makedirs(run_dir)
    with open(os.path.join(project, "Procfile"), "w") as f:
        for i in range(10):
            f.write(f"p{i}: exec sleep 1000\n")
    env = dict(os.environ, XDG_RUNTIME_DIR=run_dir, NO_COLOR="1")
    orch = subprocess.Popen([args.orch, "up"], cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        state_dir = os.path.join(run_dir, "orch")
        state = wait_for("the state file", lambda: next((os.path.join(state_dir, n) for n in os.listdir(state_dir) if n.endswith(".json")), None) if os.path.isdir(state_dir) else None)
        endpoint = wait_for("a complete state file", lambda: json.load(open(state)) if os.path.getsize(state) > 0 else None)
        wait_for("orch ctl ps to answer", lambda: subprocess.run([args.orch, "ctl", "ps"], cwd=project, env=env, capture_output=True).returncode == 0)

        version_ms = timed([args.orch, "--version"], env, project, args.runs)
        ps_ms = timed([args.orch, "ctl", "ps"], env, project, args.runs)
        auth_rps = requests_per_second(endpoint["port"], endpoint["token"], "auth", args.requests)
        status_rps = requests_per_second(endpoint["port"], endpoint["token"], "status", args.requests)
    finally:
        orch.send_signal(signal.SIGTERM)
        try:
            code = orch.wait(timeout=20)
        except subprocess.TimeoutExpired:
            orch.kill()
            code = orch.wait()
        subprocess.run(["rm", "-rf", project])

    print(f"control port, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, median of {args.runs} runs, {args.requests} requests; orch exited {code}")
    print()
    print("| measurement                              | baseline                 | orch        | orch ÷ baseline | target   |")
    print("|------------------------------------------|--------------------------|-------------|-----------------|----------|")
    print(f"| `orch ctl ps` round trip, 10 processes   | {version_ms:6.1f} ms `orch --version` | {ps_ms:6.1f} ms   | {ps_ms / version_ms:15.2f} | <= 5 ms {'PASS' if ps_ms <= 5 else 'FAIL'} |")
    print(f"| status requests/s, one connection        | {auth_rps:8.0f} auth req/s       | {status_rps:8.0f}    | {status_rps / auth_rps:15.2f} |          |")


if __name__ == "__main__":
    main()
