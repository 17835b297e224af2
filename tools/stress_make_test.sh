#!/usr/bin/env bash
# Run `make test` RUNS times in a row (default 10) from a fresh clone while two busy loops keep both
# cores loaded, as issue 14 asks; print each run's result and time; exit 1 if any run failed.
#
#   tools/stress_make_test.sh [RUNS] [WORKDIR]
#
# WORKDIR (default: a new /tmp/e4-stress-XXXXXX) receives the clone (WORKDIR/repo, with its own .venv
# made by `make venv`) and one log per run (WORKDIR/run-N.log). The clone is of this checkout's HEAD:
# run it from the merged main. Only the processes it starts are stopped (the busy loops, by their pids).
set -u
runs=${1:-10}
src=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dir=${2:-$(mktemp -d /tmp/e4-stress-XXXXXX)}
git clone -q "$src" "$dir/repo" || exit 2
cd "$dir/repo" || exit 2
echo "clone of $(git log -1 --format='%h %s' | cut -c1-80) in $dir/repo"
make venv > "$dir/venv.log" 2>&1 || { echo "make venv failed, see $dir/venv.log"; exit 2; }
(while :; do :; done) & busy1=$!
(while :; do :; done) & busy2=$!
trap 'kill "$busy1" "$busy2" 2>/dev/null' EXIT
fails=0
total0=$(date +%s)
for i in $(seq 1 "$runs"); do
    t0=$(date +%s)
    if make test > "$dir/run-$i.log" 2>&1; then result=pass; else result=FAIL; fails=$((fails + 1)); fi
    summary=$(grep -E '^=+ .*(passed|failed|error)' "$dir/run-$i.log" | tail -1)
    echo "run $i: $result in $(( $(date +%s) - t0 )) s: $summary"
done
echo "$fails of $runs runs failed, $(( $(date +%s) - total0 )) s in all; logs in $dir"
[ "$fails" -eq 0 ]
