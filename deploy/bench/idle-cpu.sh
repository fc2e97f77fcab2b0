#!/usr/bin/env bash
# Where an idle node's CPU goes: one Cascade node (every role), first with nothing connected, then with one RTMP
# publisher and no viewer, its CPU by thread group (event loops, Hazelcast, JIT compiler, VM thread, the rest) in
# windows, RUNS times with a fresh node each; the median of the runs as a table. No peer: this is the breakdown
# behind rtmp-fanout.sh's "publisher only" line, with longer windows than its 10 s.
#
#   deploy/bench/idle-cpu.sh                         # 3 runs, about 9 minutes
#   RUNS=1 WINDOWS="5:15" deploy/bench/idle-cpu.sh   # one run, the harness's window only
#
# Env (defaults):
#   RUNS=3        runs, each with a fresh node
#   SETTLE_S=60   from the node's listener opening to the publish, as rtmp-fanout.sh
#   QUIET_S=20    the last QUIET_S seconds of those are measured: the node with nothing connected
#   WINDOWS="5:15 30:90"  windows after the publish starts, FROM:TO in seconds; 5:15 is about where rtmp-fanout.sh's
#                 harness measures its "publisher only" line (it starts 5 s after the publish, for 10 s)
#   MEDIA         the clip published in a loop at its own rate (ffmpeg -re); default: the one ws-fanout.sh publishes,
#                 $BENCH_WORK/ws-fanout-720p30-1500k-gop1.flv, made once by clip.sh (720p30, 1.65 Mbit/s CBR)
#   SERVER_CPUS=0 CLIENT_CPUS=1   the node; the publisher
#   BENCH_WORK=/tmp/cascade-bench; CASCADE_JAVA_OPTS (deploy/bin/jvm-options); CASCADE_ARGS (node settings)
#   JAVA=java; BUILD=0 (1: rebuild the jar); STARTUP_S=60; STOP_S=15
#   RTMP_PORT / HTTP_PORT / API_PORT / CLUSTER_PORT   19935 / 18888 / 17777 / 15701, the next free one when taken
#
# Output: $BENCH_WORK/results/cascade-idle-cpu-<date>/ with run-N/ (the windows as JSON, the node's log and command
# line), commit.txt (the commit measured, the JVM, the CPUs) and table.md, printed at the end. Everything on
# 127.0.0.1; only processes this script started are stopped.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
ROOT=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd -P))
die() { echo "idle-cpu: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

RUNS=${RUNS:-3}; SETTLE_S=${SETTLE_S:-60}; QUIET_S=${QUIET_S:-20}; WINDOWS=${WINDOWS:-"5:15 30:90"}
SERVER_CPUS=${SERVER_CPUS:-0}; CLIENT_CPUS=${CLIENT_CPUS:-1}
BENCH_WORK=${BENCH_WORK:-/tmp/cascade-bench}; BENCH_WORK=${BENCH_WORK%/}
CASCADE_ARGS=${CASCADE_ARGS:-}; JAVA=${JAVA:-java}; BUILD=${BUILD:-0}; STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-15}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
[ -n "${CASCADE_JAVA_OPTS:-}" ] || CASCADE_JAVA_OPTS=$("$ROOT/deploy/bin/jvm-options")
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "RUNS must be 1..99, not '$RUNS'"
[[ $SETTLE_S =~ ^[0-9]+$ && $QUIET_S =~ ^[0-9]+$ ]] && [ "$QUIET_S" -le "$SETTLE_S" ] \
  || die "SETTLE_S and QUIET_S must be whole seconds, QUIET_S <= SETTLE_S"
PUBLISH_S=0
for w in $WINDOWS; do
  [[ $w =~ ^([0-9]+):([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] \
    || die "each of WINDOWS must be FROM:TO in whole seconds, FROM < TO, not '$w'"
  [ "${BASH_REMATCH[2]}" -le "$PUBLISH_S" ] || PUBLISH_S=${BASH_REMATCH[2]}
done
[ "$PUBLISH_S" -le 3600 ] || die "windows past an hour"

for tool in ffmpeg python3 taskset ss; do command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"; done
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (JDK 17+, or set JAVA)"
JAR=$ROOT/deploy/target/cascade-node.jar
if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  say "building the node jar (mvn -B -q -DskipTests install)"
  (cd "$ROOT" && mvn -B -q -o -DskipTests install) || (cd "$ROOT" && mvn -B -q -DskipTests install) || die "the build failed"
fi

# shellcheck source=clip.sh
. "$HERE/clip.sh"
if [ -z "${MEDIA:-}" ]; then
  MEDIA=$BENCH_WORK/ws-fanout-720p30-1500k-gop1.flv   # ws-fanout.sh's clip: made once, shared
  make_clip "$MEDIA"
fi
[ -f "$MEDIA" ] || die "no clip at $MEDIA"

# shellcheck source=procs.sh
. "$HERE/procs.sh"
# shellcheck source=ports.sh
. "$HERE/ports.sh"
# shellcheck source=node.sh
. "$HERE/node.sh"
pick_port RTMP_PORT 19935
pick_port HTTP_PORT 18888
pick_port API_PORT 17777
pick_port CLUSTER_PORT 15701

OUT=$BENCH_WORK/results/cascade-idle-cpu-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
{ git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown; "$JAVA" -version 2>&1 | head -1; nproc; } > "$OUT/commit.txt"
NODE_PID=; PUB_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_pid "$PUB_PID" 3
  stop_pid "$NODE_PID" "$STOP_S"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

window_args=()
for w in $WINDOWS; do window_args+=(--window "publish-${w/:/-}s:$w"); done
say "$RUNS runs: settle ${SETTLE_S}s (the last ${QUIET_S}s measured), then publish $(basename "$MEDIA") for ${PUBLISH_S}s"
for ((run = 1; run <= RUNS; run++)); do
  dir=$OUT/run-$run
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # CASCADE_ARGS is a word list
  start_node "$dir" "$SERVER_CPUS" "$dir/cascade-node.log" $CASCADE_ARGS
  sleep $((SETTLE_S - QUIET_S))
  python3 "$HERE/idle_cpu.py" --pid "$NODE_PID" --window "quiet:0:$QUIET_S" --out "$dir/quiet.json"
  taskset -c "$CLIENT_CPUS" ffmpeg -hide_banner -nostdin -loglevel error -re -stream_loop -1 -i "$MEDIA" \
    -t $((PUBLISH_S + 5)) -c copy -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/test" > "$dir/publisher.log" 2>&1 < /dev/null &
  PUB_PID=$!
  python3 "$HERE/idle_cpu.py" --pid "$NODE_PID" "${window_args[@]}" --out "$dir/publish.json"
  kill -0 "$PUB_PID" 2>/dev/null || die "the publisher ended early: $(tail -3 "$dir/publisher.log")"
  stop_pid "$PUB_PID" 3; PUB_PID=
  stop_pid "$NODE_PID" "$STOP_S"; NODE_PID=
  rm -f "$dir/cascade-node.jar"   # what was measured is the commit in $OUT/commit.txt
  grep -q "publish started" "$dir/cascade-node.log" || die "the node never saw the publish (log $dir/cascade-node.log)"
done
python3 "$HERE/idle_cpu.py" --table "$OUT" | tee "$OUT/table.md"
say "table: $OUT/table.md"
