#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs
# each for SECONDS (default 60) on its seed corpus, then replays every saved
# crash input of tests/fuzz/crashes. Exits non-zero when any target crashes,
# leaks, times out or runs out of memory, or a saved crash still crashes.
#
#   bash tests/fuzz/run-fuzzers.sh [options] [SECONDS]
#
#   --targets "A B"     only these targets (default: every one built)
#   --bin-dir DIR       use the fuzzers already built in DIR; configure and
#                       build nothing (the fuzz.* ctests use this)
#   --no-regressions    skip replaying tests/fuzz/crashes
#   --regressions-only  only replay tests/fuzz/crashes
#   --keep-going        fuzz on past a crash (libFuzzer's -fork=1 with
#                       -ignore_crashes etc.) to collect every distinct one;
#                       still fails when any artifact was written
#
# The build goes to $OGID_FUZZ_BUILD (default build-fuzz at the top of the
# tree). New corpus inputs and crash artifacts go to a temporary folder, never
# into the repository; it is removed after a clean run and kept (its path is
# printed) when something was found. OGID_FUZZ_KEEP=1 keeps it always.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=60
bin_dir=""
targets=""
fuzz=1
regressions=1
keep_going=0

while [ $# -gt 0 ]; do
    case "$1" in
    --targets) targets=$2; shift 2 ;;
    --bin-dir) bin_dir=$2; shift 2 ;;
    --no-regressions) regressions=0; shift ;;
    --regressions-only) fuzz=0; shift ;;
    --keep-going) keep_going=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) secs=$1; shift ;;
    *) echo "run-fuzzers.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
    esac
done

if [ -z "$bin_dir" ]; then
    build=${OGID_FUZZ_BUILD:-$root/build-fuzz}
    command -v clang >/dev/null || { echo "run-fuzzers.sh: clang is needed (apt-get install clang)" >&2; exit 2; }
    # OGID_WERROR=OFF: clang warns where gcc does not; the fuzzers' own files
    # keep -Werror (tests/fuzz/CMakeLists.txt).
    CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=asan -DOGID_FUZZ=ON \
        -DOGID_WERROR=OFF -DOGID_BUILD_TESTS=ON >/dev/null
    cmake --build "$build" --target ogid_fuzz -j"$(nproc)"
    bin_dir=$build/tests/fuzz
fi

all_targets="fuzz_input fuzz_format_text fuzz_format_html fuzz_format_docx fuzz_format_csv
             fuzz_format_xlsx fuzz_recognise"
if [ -z "$targets" ]; then
    for t in $all_targets; do
        [ -x "$bin_dir/$t" ] && targets="$targets $t"
    done
fi
[ -n "${targets// /}" ] || { echo "run-fuzzers.sh: no fuzz targets in $bin_dir" >&2; exit 2; }

# Seeds: the target's own corpus, then the real reports.
seeds_of() {
    local dirs=("$here/corpus/$1")
    case "$1" in
    fuzz_format_docx) dirs+=("$root/tests/fixtures/reports") ;;
    fuzz_format_xlsx) ;;
    *) dirs+=("$root/tests/fixtures/reports" "$root/tests/fixtures/variants") ;;
    esac
    for d in "${dirs[@]}"; do
        [ -d "$d" ] && echo "$d"
    done
    return 0
}

# Reports are 10-60 KB; longer inputs only slow the mutator down (seeds over
# the limit are cut). Decoding needs no more than its 8 KB sniffing window.
max_len_of() {
    case "$1" in
    fuzz_input) echo 16384 ;;
    *) echo 65536 ;;
    esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ogid-fuzz.XXXXXX")
status=0
summary=()

if [ "$fuzz" = 1 ]; then
    for t in $targets; do
        mkdir -p "$tmp/corpus/$t" "$tmp/artifacts"
        dict=()
        [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
        mapfile -t seeds < <(seeds_of "$t")
        log=$tmp/$t.log
        echo "== $t: ${secs}s (log $log)"
        more=()
        [ "$keep_going" = 1 ] && more=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
        rc=0
        "$bin_dir/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
            -max_len="$(max_len_of "$t")" -print_final_stats=1 \
            -artifact_prefix="$tmp/artifacts/$t-" "${dict[@]}" "${more[@]}" \
            "$tmp/corpus/$t" "${seeds[@]}" >"$log" 2>&1 || rc=$?
        if [ "$rc" -eq 0 ] && compgen -G "$tmp/artifacts/$t-*" >/dev/null; then
            rc=1 # --keep-going: found, and went on
        fi
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
        # -fork prints no final stats: take the last "#N: cov: ..." line.
        [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -n1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
        ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
        units=$(find "$tmp/corpus/$t" -type f | wc -l)
        if [ "$rc" -ne 0 ]; then
            status=1
            summary+=("$(printf '%-18s FAILED (exit %s) execs=%s cov=%s' "$t" "$rc" "${execs:-?}" "${cov:-?}")")
            echo "-- $t failed; the end of its log:"
            grep -v '^#[0-9]' "$log" | tail -n 60
            for a in "$tmp/artifacts/$t-"*; do
                [ -e "$a" ] || continue
                echo "-- artifact: $a"
                echo "   minimise: $bin_dir/$t -minimize_crash=1 -runs=100000 -exact_artifact_path=$a.min $a"
            done
        else
            summary+=("$(printf '%-18s ok  execs=%s cov=%s ft=%s new-corpus=%s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$units")")
        fi
    done
fi

if [ "$regressions" = 1 ]; then
    for f in "$here"/crashes/*.bin; do
        [ -e "$f" ] || continue
        base=$(basename "$f")
        t=${base%%-*}
        if [ ! -x "$bin_dir/$t" ]; then
            summary+=("$(printf '%-18s skipped %s (target not built)' "$t" "$base")")
            continue
        fi
        if "$bin_dir/$t" -rss_limit_mb=2048 -timeout=10 "$f" >"$tmp/replay-$base.log" 2>&1; then
            summary+=("$(printf '%-18s replay %s: ok' "$t" "$base")")
        else
            status=1
            summary+=("$(printf '%-18s replay %s: STILL FAILS' "$t" "$base")")
            grep -v '^INFO' "$tmp/replay-$base.log" | tail -n 40
        fi
    done
fi

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ "$status" -ne 0 ] || [ "${OGID_FUZZ_KEEP:-0}" = 1 ]; then
    echo "corpus, logs and artifacts kept in $tmp"
else
    rm -rf "$tmp"
fi
exit $status
