#!/usr/bin/env bash
# Builds orch's libFuzzer targets and runs each for a while.
#
#   Fuzz/run.sh                       every target, 20 s each, seed 1 (what CI runs)
#   Fuzz/run.sh --seconds 600 yaml    one target, 10 minutes
#   Fuzz/run.sh --seed 0 …            a new random seed each run
#   Fuzz/run.sh --build-only
#   Fuzz/run.sh --fixed               what CI runs: seed 1 and a fixed number of
#                                     inputs per target from the committed seeds
#                                     only, so a run is the same on every machine
#                                     (at most 60 s each)
#
# Targets: yaml, procfile, dotenv, interpolation, duration, signal, protocol
# (Fuzz/Targets/NAME). Each starts from its committed seeds (Fuzz/Corpus/NAME,
# never written to) plus what earlier runs found (.build/fuzz/corpus/NAME).
# A crash, a trap, a hang past 10 s or 2 GiB of memory is saved as
# .build/fuzz/crashes/NAME/crash-… (or timeout-…, oom-…) and the script exits 1:
# turn it into a test (Tests/OrchConfigTests/HostileInputTests.swift), then fix it.
#
# The targets are SwiftPM executables that exist only when ORCH_FUZZ is set, built
# with -sanitize=fuzzer in their own scratch directory, so they compile the
# library modules exactly as the package does, whatever those depend on.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(yaml procfile dotenv interpolation duration signal protocol)
seconds=20
seed=1
build_only=0
fixed=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --build-only) build_only=1; shift ;;
        --fixed) fixed=1; seed=1; seconds=60; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

scratch=.build/fuzz
flags=(-c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer)
# GNU gold fails on the fuzzer's link (an internal error in its DWARF reader); lld
# ships with the Swift toolchain.
if command -v ld.lld >/dev/null 2>&1; then
    flags+=(-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
fi
for target in "${targets[@]}"; do
    [ -d "Fuzz/Targets/$target" ] || { echo "Fuzz/run.sh: no target '$target' (have: ${all[*]})" >&2; exit 2; }
    echo "== building fuzz-$target"
    ORCH_FUZZ=1 swift build "${flags[@]}" --product "fuzz-$target"
done
[ "$build_only" = 1 ] && exit 0

bin=$(ORCH_FUZZ=1 swift build "${flags[@]}" --show-bin-path)
failed=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    # A fixed run starts from the committed seeds alone: what earlier runs found
    # would make it differ from machine to machine.
    [ "$fixed" = 1 ] && corpus="$scratch/corpus-fixed/$target" && rm -rf "$corpus"
    crashes="$scratch/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    options=(-max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048
             -artifact_prefix="$crashes/" -print_final_stats=1)
    case "$target" in
        yaml) options+=(-max_len=16384 -dict=Fuzz/yaml.dict) ;;
        procfile|dotenv) options+=(-max_len=8192) ;;
        protocol) options+=(-max_len=4096 -dict=Fuzz/protocol.dict) ;;
        *) options+=(-max_len=1024) ;;
    esac
    if [ "$fixed" = 1 ]; then
        # About 20 s each on a loaded 2-core machine.
        case "$target" in
            yaml) runs=150000 ;;
            procfile|dotenv) runs=100000 ;;
            interpolation) runs=800000 ;;
            protocol) runs=1200000 ;;
            *) runs=4000000 ;;
        esac
        options+=(-runs="$runs")
        echo "== fuzz-$target: $runs inputs, seed $seed"
    else
        echo "== fuzz-$target: ${seconds}s, seed $seed"
    fi
    work="$scratch/work/$target"
    rm -rf "$work" && mkdir -p "$work"
    # The first directory receives new inputs; the committed seeds are only read.
    # SWIFT_BACKTRACE=enable=no: libFuzzer, not Swift's backtracer, handles a
    # trap, so the input that caused it is saved as an artifact.
    if ! SWIFT_BACKTRACE=enable=no ORCH_FUZZ_WORK="$PWD/$work" "$bin/fuzz-$target" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" 2>"$scratch/$target.log"; then
        failed+=("$target")
        tail -n 40 "$scratch/$target.log" >&2
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$scratch/$target.log" | tr '\n' ' '
    echo
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "Fuzz/run.sh: findings in: ${failed[*]} (see $scratch/crashes/)" >&2
    exit 1
fi
echo "Fuzz/run.sh: no findings"
