#!/usr/bin/env python3
"""Writes a large orch.yaml and a large Procfile, for timing `orch check` on them.

    python3 Benchmarks/bigconfig.py DIR [--megabytes 10]

DIR/orch.yaml: many small processes; every other one takes `<<: *defaults` (a merge
key), every third has a small `env` map (one value uses `$PORT`), every fifth
`depends_on` an earlier process (some as a map to a condition), a few a `ready`
check. DIR/Procfile: lines of `pNNN: exec ./bin/server --name pNNN …`. Both stop
at the first process past the size. The contents depend only on the size, so runs
before and after a change load the same files.
"""
import argparse, os


def yaml(size):
    parts = ["x-defaults: &defaults\n  kind: service\n  restart: always\n  stop: {signal: TERM, timeout: 5s}\n",
             "env: {APP_ENV: bench, LOG_LEVEL: info}\nprocesses:\n"]
    total = sum(len(part) for part in parts)
    count = 0
    while total < size:
        lines = [f"  p{count}:\n"]
        if count % 2 == 0:
            lines.append("    <<: *defaults\n")
        lines.append(f"    command: exec ./bin/server --name p{count} --threads 4 --verbose --log-format json --data-dir ./data/p{count}\n")
        if count % 3 == 0:
            lines.append(f"    env: {{WORKER_ID: \"{count}\", URL: \"http://127.0.0.1:$PORT/\", CACHE_DIR: /tmp/cache-{count}}}\n")
        if count % 5 == 0 and count > 0:
            if count % 10 == 0:
                lines.append(f"    depends_on: {{p{count - 1}: started}}\n")
            else:
                lines.append(f"    depends_on: [p{count // 2}]\n")
        if count % 50 == 0:
            lines.append("    ready: {log: listening}\n")
        chunk = "".join(lines)
        parts.append(chunk)
        total += len(chunk)
        count += 1
    return "".join(parts), count


def procfile(size):
    parts, total, count = [], 0, 0
    while total < size:
        line = f"p{count}: exec ./bin/server --name p{count} --threads 4 --port $PORT --verbose\n"
        parts.append(line)
        total += len(line)
        count += 1
    return "".join(parts), count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--megabytes", type=float, default=10)
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    os.makedirs(args.directory, exist_ok=True)
    for name, (text, count) in (("orch.yaml", yaml(size)), ("Procfile", procfile(size))):
        path = os.path.join(args.directory, name)
        with open(path, "w") as f:
            f.write(text)
        print(f"{path}: {len(text)} bytes, {count} processes")


if __name__ == "__main__":
    main()
