#!/usr/bin/env bash
# orch benchmarks. Usage: Benchmarks/run.sh [path/to/orch [path/to/older-orch]]
# Without an argument it builds a static release orch with its own scratch path
# (.build-bench) and uses that, without SwiftPM's $ORIGIN rpath (the static
# binary loads nothing from beside itself, and the dynamic linker would search
# there first for every library); an older orch, when given, gets a column of
# its own in the footprint table. Needs cc, swiftc and python3; honcho (pip) is
# installed if missing, for the comparison columns, and hyperfine is used for
# start-up times when present. Takes about 5 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

before=()
if [[ $# -ge 2 ]]; then
    before=(--before "$(realpath "$2")")
fi
if [[ $# -ge 1 ]]; then
    orch="$(realpath "$1")"
else
    echo "building orch (release, --scratch-path .build-bench)..." >&2
    (cd "$root" && swift build -c release --static-swift-stdlib --disable-local-rpath --scratch-path .build-bench >&2)
    orch="$root/.build-bench/release/orch"
fi
[[ -x "$orch" ]] || { echo "not an executable: $orch" >&2; exit 2; }

if ! python3 -c 'import honcho' 2>/dev/null; then
    echo "installing honcho 2.0.0 for the comparison..." >&2
    python3 -m pip install --quiet 'honcho==2.0.0' >&2 || echo "honcho unavailable: its columns are left out" >&2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/orch-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cc -O2 -o "$tmp/writer" "$here/writer.c"
cc -O2 -o "$tmp/linecheck" "$here/linecheck.c"
# The start-up baseline: a static Swift hello world, built as orch is.
echo 'print("Hello, world!")' > "$tmp/hello.swift"
swiftc -O -static-stdlib -o "$tmp/hello" "$tmp/hello.swift"
command -v hyperfine >/dev/null || echo "hyperfine not found (apt-get install hyperfine): start-up is timed by footprint.py itself" >&2

extra=()
python3 -c 'import honcho' 2>/dev/null || extra+=(--no-honcho)

python3 "$here/bench.py" --orch "$orch" --tmp "$tmp" \
    --writer "$tmp/writer" --linecheck "$tmp/linecheck" "${extra[@]}"

echo
python3 "$here/ctl_bench.py" --orch "$orch"

echo
python3 "$here/scale_bench.py" --orch "$orch"

echo
python3 "$here/footprint.py" --orch "$orch" --hello "$tmp/hello" "${before[@]}"

echo
python3 "$here/watch_bench.py" "$orch"
