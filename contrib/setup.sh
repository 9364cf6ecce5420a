#!/usr/bin/env bash
# ogid set-up on Debian 12: installs the packages ogid needs (only those
# missing), builds, and then either starts the daemon or runs the test suite.
#
#   bash contrib/setup.sh run    build, then `ogid run` on ./spool (the embedded default)
#   bash contrib/setup.sh test   build plain and with ASan/UBSan, run the whole suite,
#                                and each fuzz target for a short bounded time
#   bash contrib/setup.sh build  build only
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-run}

packages=(build-essential cmake pkg-config python3 jq
          libuv1-dev liblua5.4-dev libyaml-dev libcmocka-dev libxml2-dev libzip-dev
          libssl-dev libsqlite3-dev libjansson-dev lua-check clang libclang-rt-14-dev)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "ogid setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

build() { # build DIR TYPE
    cmake -S . -B "$1" -DCMAKE_BUILD_TYPE="$2" >/dev/null
    cmake --build "$1" -j"$(nproc)"
}

install_missing
case "$mode" in
run)
    build build RelWithDebInfo
    mkdir -p spool/incoming
    echo
    echo "ogid: watching $(pwd)/spool/incoming; findings go to $(pwd)/spool/findings.jsonl"
    echo "      try, in another terminal:  cp contrib/examples/*.txt spool/incoming/"
    echo "                                 tail -f spool/findings.jsonl | jq ."
    echo
    exec ./build/ogid run
    ;;
test)
    build build RelWithDebInfo
    build build-asan asan
    status=0
    echo "== ASan/UBSan build =="
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir build-asan --output-on-failure -j2 -LE slow || status=1
    echo "== fuzz smoke (clang libFuzzer, ASan/UBSan, 20 s a target) =="
    bash tests/fuzz/run-fuzzers.sh 20 || status=1
    echo "== plain build =="
    ctest --test-dir build --output-on-failure -j2 || status=1
    exit $status
    ;;
build)
    build build RelWithDebInfo
    ;;
*)
    echo "usage: bash contrib/setup.sh [run|test|build]" >&2
    exit 64
    ;;
esac
