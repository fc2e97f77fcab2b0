#!/usr/bin/env bash
# Capacity with edges: what one more subscribed edge costs the ingest node (CPU, event-bus egress, Hazelcast
# traffic), and what viewers cost each edge (CPU per 100 viewers) with one edge and with two edges sharing them,
# while the ingest node's CPU stays where it is. Loopback only; every process it starts is stopped by its PID.
#
#   deploy/bench/capacity.sh                          # NS="100 200" RUNS=3 WINDOW=30, about 30 minutes
#   NS=20 RUNS=1 WINDOW=5 RAMP=2 WARMUP=2 SETTLE_S=5 JOIN_S=5 WARM_S=5 SUB_S=3 LINGER_S=7 deploy/bench/capacity.sh   # smoke
#
# One cluster of three nodes, started fresh for every run, everything on 127.0.0.1:
#   ingest (roles ingest,origin) pinned to INGEST_CPUS (0) ALONE;
#   edge1 and edge2 (role edge, members: the ingest node) pinned to EDGE_CPUS (1), with the publisher and every client.
# Every JVM gets the JVM options of rtmp-fanout.sh (one CPU: -XX:ActiveProcessorCount=1, so one event loop each).
# The clip (the harness's 720p30 H.264 CBR 1.5 Mbit/s + AAC 128 kbit/s, GOP 1 s) is published to the ingest node in
# real time over RTMP. Per run, every window WINDOW s long (node_window.py: CPU from /proc/PID/stat, the nodes'
# /metrics counters, TCP bytes per connection from ss, classed as Hazelcast / event bus / clients):
#   1. SETTLE_S after the publisher started, both edges join (JOIN_S), and both are subscribed (one rtmpdump viewer
#      each) for WARM_S unmeasured, so the JIT has compiled the sends to edges before the first window;
#   2. the ingest node with 2, 1 and 0 edges subscribed in odd runs (0, 1, 2 in even ones): one viewer on an edge
#      subscribes it (SUB_S after it connects; LINGER_S after a viewer leaves, so the edge lets go of the stream);
#   3. N viewers (fanout_load.py, CLIENT rtmpdump or ws) on edge1 alone ("1 edge": edge2 stays in the cluster,
#      unsubscribed) for each N in NS, then N/2 on each edge ("2 edges") for each N; ramp RAMP s, warmup WARMUP s,
#      then the window, measured on every node at once. The order of the loads is reversed in even runs;
#   4. "alone": the edges stop, JOIN_S later the ingest node with its publisher and no edge in the cluster.
# The table (capacity-table.py) is the median of the runs.
#
# Env (defaults):
#   NS "100 200" (even numbers); RUNS 3; WINDOW 30; RAMP 10; WARMUP 8; SETTLE_S 20; JOIN_S 10; WARM_S 120; SUB_S 5;
#   LINGER_S 8
#   CLIENT rtmpdump (or ws); INGEST_CPUS 0; EDGE_CPUS 1; CLIENT_CPUS 1
#   ports (a taken default moves to the next free port, an explicitly set port that is taken is an error):
#     INGEST_RTMP_PORT / EDGE1_RTMP_PORT / EDGE2_RTMP_PORT   19950 / 19951 / 19952
#     INGEST_HTTP_PORT / EDGE1_HTTP_PORT / EDGE2_HTTP_PORT   18950 / 18951 / 18952
#     INGEST_CLUSTER_PORT / EDGE1_CLUSTER_PORT / EDGE2_CLUSTER_PORT   15750 / 15751 / 15752
#     INGEST_API_PORT 17750 (the ingest node's API, for listNodes: the load board, read once per run)
#     (the event bus of each node takes a free ephemeral port on 127.0.0.1)
#   CASCADE_JAVA_OPTS  "-Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1"
#   CASCADE_ARGS extra --key=value settings for every node; JAVA java; BUILD 0 (1: rebuild the jar first)
#   BENCH_HOME <repo>/../shared/bench (the clip maker and the publisher); BENCH_WORK /tmp/cascade-bench
#   OUT $BENCH_WORK/results/capacity-<UTC time>: raw/ (node_window.py's JSON per window, fanout_load.py's per load),
#       logs/ (the nodes' and the publisher's logs, gzipped; each helper's output), meta.txt (commit, jar checksum,
#       machine, knobs), log-issues.txt, table.md
#   STARTUP_S 60 (bound on a node's start and on the stream going live); STOP_S 15 (grace before SIGKILL)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
BENCH_HOME=${BENCH_HOME:-$(cd "$ROOT/../shared/bench" 2>/dev/null && pwd || true)}
[ -n "$BENCH_HOME" ] && [ -f "$BENCH_HOME/lib/env.sh" ] || { echo "set BENCH_HOME to the bench harness (../shared/bench)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$BENCH_HOME/lib/env.sh"

NS=${NS:-"100 200"}; RUNS=${RUNS:-3}; WINDOW=${WINDOW:-30}; RAMP=${RAMP:-10}; WARMUP=${WARMUP:-8}
SETTLE_S=${SETTLE_S:-20}; JOIN_S=${JOIN_S:-10}; WARM_S=${WARM_S:-120}; SUB_S=${SUB_S:-5}; LINGER_S=${LINGER_S:-8}
CLIENT=${CLIENT:-rtmpdump}
INGEST_CPUS=${INGEST_CPUS:-0}; EDGE_CPUS=${EDGE_CPUS:-1}; CLIENT_CPUS=${CLIENT_CPUS:-1}
CASCADE_JAVA_OPTS=${CASCADE_JAVA_OPTS:--Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1}
CASCADE_ARGS=${CASCADE_ARGS:-}
JAVA=${JAVA:-java}; BUILD=${BUILD:-0}; STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-15}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
OUT=${OUT:-$BENCH_WORK/results/capacity-$(date -u +%Y%m%d-%H%M%S)}
JAR=$ROOT/deploy/target/cascade-node.jar
STREAM=test
CLUSTER_NAME=capacity-bench-$$

die() { echo "capacity: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
for tool in ffmpeg ffprobe rtmpdump python3 taskset ss curl timeout setsid; do
  command -v $tool >/dev/null || die "$tool is missing (apt-get install -y ffmpeg rtmpdump python3 util-linux iproute2 curl coreutils)"
done
command -v "$JAVA" >/dev/null || die "java not found (JDK 17+, or set JAVA)"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs for the pinning (ingest node alone on one core)"
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "RUNS must be 1..99"
[ "$CLIENT" = rtmpdump ] || [ "$CLIENT" = ws ] || die "CLIENT must be rtmpdump or ws"
for n in $NS; do
  [[ $n =~ ^[1-9][0-9]{0,3}$ ]] && [ $((n % 2)) = 0 ] || die "NS must be even numbers 2..9998 (two edges take N/2 each), not '$n'"
done
for v in WINDOW RAMP WARMUP SETTLE_S JOIN_S WARM_S SUB_S LINGER_S STARTUP_S STOP_S; do
  [[ ${!v} =~ ^[0-9]{1,3}$ ]] || die "$v must be a number of seconds 0..999"
done
[ "$WINDOW" -ge 1 ] || die "WINDOW must be at least 1 s"

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  say "building $JAR"
  (cd "$ROOT" && mvn -B -q -o -DskipTests package) || die "the build failed"
fi
if [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "warning: sources are newer than $JAR; measuring the existing jar (BUILD=1 rebuilds)"
fi
[ -f "$BENCH_MEDIA_DEFAULT" ] || "$BENCH_HOME/bin/make_media.sh" >/dev/null
CLIP=$BENCH_MEDIA_DEFAULT
REF_KBPS=$(python3 "$BENCH_HOME/bin/media_kbps.py" "$CLIP")

# ---------------------------------------------------------------- ports (loopback only)
# shellcheck source=ports.sh
. "$HERE/ports.sh"
pick_port INGEST_RTMP_PORT 19950; pick_port EDGE1_RTMP_PORT 19951; pick_port EDGE2_RTMP_PORT 19952
pick_port INGEST_HTTP_PORT 18950; pick_port EDGE1_HTTP_PORT 18951; pick_port EDGE2_HTTP_PORT 18952
pick_port INGEST_CLUSTER_PORT 15750; pick_port EDGE1_CLUSTER_PORT 15751; pick_port EDGE2_CLUSTER_PORT 15752
pick_port INGEST_API_PORT 17750
CLUSTER_PORTS=$INGEST_CLUSTER_PORT,$EDGE1_CLUSTER_PORT,$EDGE2_CLUSTER_PORT

mkdir -p "$OUT/raw" "$OUT/logs"
cp "$JAR" "$OUT/cascade-node.jar"   # a rebuild during the run cannot change what is measured

# ---------------------------------------------------------------- processes: started here, stopped by PID
ING_PID=; E1_PID=; E2_PID=; PUB_PID=; V1_PID=; V2_PID=; WIN_PID=; LOAD_PIDS=()
# shellcheck source=procs.sh
. "$HERE/procs.sh"   # stop_pid
stop_publisher() {  # the publisher is a session of its own (timeout + ffmpeg): TERM to timeout stops ffmpeg
  [ -n "$PUB_PID" ] || return 0
  stop_pid "$PUB_PID" 8
  kill -KILL -- "-$PUB_PID" 2>/dev/null || true
  PUB_PID=
}
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM HUP
  set +e
  stop_pid "$WIN_PID" 5
  for p in "${LOAD_PIDS[@]}"; do stop_pid "$p" 10; done
  stop_pid "$V1_PID" 5; stop_pid "$V2_PID" 5
  stop_publisher
  stop_pid "$E1_PID" "$STOP_S"; stop_pid "$E2_PID" "$STOP_S"; stop_pid "$ING_PID" "$STOP_S"
  wait 2>/dev/null
  rm -rf "$OUT/data" "$OUT/cascade-node.jar"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

start_node() {  # NAME CPUS ROLES RTMP HTTP CLUSTER API LOG [MEMBERS]: sets ING_PID, E1_PID or E2_PID
  local name=$1 cpus=$2 roles=$3 rtmp=$4 http=$5 cport=$6 api=$7 log=$8 members=${9:-} pid i
  mkdir -p "$OUT/data/$name"
  # shellcheck disable=SC2086  # CASCADE_JAVA_OPTS and CASCADE_ARGS are word lists
  (cd "$OUT" && exec taskset -c "$cpus" "$JAVA" $CASCADE_JAVA_OPTS \
    --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    -Dhazelcast.logging.type=slf4j -Dhazelcast.socket.bind.any=false \
    -jar "$OUT/cascade-node.jar" --node.name="$name" --roles="$roles" \
    --cluster.name="$CLUSTER_NAME" --cluster.host=127.0.0.1 --cluster.port="$cport" \
    ${members:+--cluster.members=$members} --bind.host=127.0.0.1 \
    --rtmp.port="$rtmp" --http.port="$http" --api.port="$api" --api.host=127.0.0.1 --rtsp.port=0 --data.dir="$OUT/data/$name" \
    $CASCADE_ARGS) > "$log" 2>&1 < /dev/null &
  pid=$!
  case $name in ingest) ING_PID=$pid ;; edge1) E1_PID=$pid ;; edge2) E2_PID=$pid ;; esac
  for ((i = 0; i < 20; i++)); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ] && break
    sleep 0.05
  done
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ] || { tail -20 "$log" >&2; die "$name: pid $pid is not the JVM"; }
  for ((i = 0; i < STARTUP_S * 10; i++)); do
    grep -q "cascade node $name ready" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { tail -30 "$log" >&2; die "$name exited during startup ($log)"; }
    sleep 0.1
  done
  tail -30 "$log" >&2; die "$name was not ready within ${STARTUP_S}s ($log)"
}

start_publisher() {  # LOG BOUND_S: the clip in real time, looped; waits until the ingest node has the stream
  local i
  PUB_PID=$(PUB_LOG=$1 CLIENT_CPUS=$CLIENT_CPUS "$BENCH_HOME/bin/publish.sh" \
    "rtmp://127.0.0.1:$INGEST_RTMP_PORT/live/$STREAM" "$2" "$CLIP") || die "the publisher did not start"
  for ((i = 0; i < STARTUP_S * 2; i++)); do
    curl -s -m 2 "http://127.0.0.1:$INGEST_HTTP_PORT/metrics" \
      | grep -q '^cascade_streams{protocol="rtmp",role="ingest"} 1' && return 0
    kill -0 "$PUB_PID" 2>/dev/null || { cat "$1" >&2; die "the publisher exited ($1)"; }
    sleep 0.5
  done
  die "the stream did not go live on the ingest node within ${STARTUP_S}s"
}

start_viewer() {  # EDGE_RTMP_PORT BOUND_S -> PID (timeout wrapping one rtmpdump; SIGTERM to it stops rtmpdump)
  taskset -c "$CLIENT_CPUS" timeout -k 5 "$2" rtmpdump -q -v -r "rtmp://127.0.0.1:$1/live/$STREAM" -o /dev/null \
    < /dev/null > /dev/null 2>&1 &
  echo $!
}

window() {  # LABEL AT [edges...]: node_window.py on the ingest node and the edges given, in the background (WIN_PID)
  local label=$1 at=$2 nodes=(--node "ingest=$ING_PID:$INGEST_HTTP_PORT") e
  shift 2
  for e in "$@"; do
    case $e in
      edge1) nodes+=(--node "edge1=$E1_PID:$EDGE1_HTTP_PORT") ;;
      edge2) nodes+=(--node "edge2=$E2_PID:$EDGE2_HTTP_PORT") ;;
    esac
  done
  taskset -c "$CLIENT_CPUS" python3 "$HERE/node_window.py" "${nodes[@]}" --cluster-ports "$CLUSTER_PORTS" \
    --at "$at" --window "$WINDOW" --label "$label" --out "$OUT/raw/$label.json" > "$OUT/logs/$label-window.out" \
    2> "$OUT/logs/$label-window.err" &
  WIN_PID=$!
}

wait_window() {  # LABEL
  local rc
  set +e; wait "$WIN_PID"; rc=$?; set -e
  WIN_PID=
  [ "$rc" = 0 ] && [ -f "$OUT/raw/$1.json" ] || { cat "$OUT/logs/$1-window.err" >&2; die "$1: the window was not measured"; }
  say "$1: $(cat "$OUT/logs/$1-window.out")"
}

board() {  # RUN: the load board as the ingest node's API lists it (every node's report), outside any window
  curl -s -m 5 "http://127.0.0.1:$INGEST_API_PORT/api/listNodes" > "$OUT/raw/run$1-listNodes.api.json" \
    || say "run $1: listNodes did not answer"
}

measure() {  # LABEL [edges...]: one window, starting in a second
  window "$1" "$(python3 -c 'import time; print("%.3f" % (time.time() + 1))')" "${@:2}"
  wait_window "$1"
}

load() {  # RUN EDGES N: N viewers on edge1, or N/2 on each edge, every node measured over the same window
  # (the viewers' own window is a second longer, so none of them is leaving while the nodes are read)
  local run=$1 edges=$2 n=$3 label=run$1-e$2-n$3 per e at port url pid rc edge_pid
  per=$((n / edges))
  at=$(python3 -c 'import time; print("%.3f" % (time.time() + 2))')
  LOAD_PIDS=()
  for ((e = 1; e <= edges; e++)); do
    if [ $e = 1 ]; then edge_pid=$E1_PID; else edge_pid=$E2_PID; fi
    if [ "$CLIENT" = ws ]; then
      port=$EDGE1_HTTP_PORT; [ $e = 2 ] && port=$EDGE2_HTTP_PORT; url="ws://127.0.0.1:$port/$STREAM/ws"
    else
      port=$EDGE1_RTMP_PORT; [ $e = 2 ] && port=$EDGE2_RTMP_PORT; url="rtmp://127.0.0.1:$port/live/$STREAM"
    fi
    taskset -c "$CLIENT_CPUS" python3 "$HERE/fanout_load.py" --client "$CLIENT" --url "$url" -n "$per" \
      --server-pid "$edge_pid" --ref-kbps "$REF_KBPS" --ramp "$RAMP" --warmup "$WARMUP" --window $((WINDOW + 1)) \
      --at "$at" --out "$OUT/raw/$label-edge$e.load.json" > "$OUT/logs/$label-edge$e-load.out" \
      2> "$OUT/logs/$label-edge$e-load.err" &
    LOAD_PIDS+=($!)
  done
  window "$label" "$(python3 -c "print('%.3f' % ($at + $RAMP + $WARMUP))")" edge1 edge2
  wait_window "$label"
  for pid in "${LOAD_PIDS[@]}"; do
    set +e; wait "$pid"; rc=$?; set -e
    [ "$rc" = 0 ] || say "$label: a load client exited with $rc"
  done
  LOAD_PIDS=()
  for ((e = 1; e <= edges; e++)); do
    [ -f "$OUT/raw/$label-edge$e.load.json" ] || { cat "$OUT/logs/$label-edge$e-load.err" >&2; die "$label: edge$e's viewers wrote nothing"; }
    say "$label edge$e: $(python3 -c 'import json,sys; s=json.load(sys.stdin); print("%d viewers ok, %d at >= 98%%, worst %.3f" % (s["viewers_ok"], s["viewers_ge_98pct"], s["delivered_ratio_min"] or 0))' < "$OUT/logs/$label-edge$e-load.out")"
  done
}

# ---------------------------------------------------------------- the runs
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)
NLOADS=$(($(wc -w <<< "$NS") * 2))
# the publisher's own bound: everything a run does, with room to spare
PUB_S=$((SETTLE_S + 2 * JOIN_S + WARM_S + 4 * (WINDOW + SUB_S + LINGER_S) + NLOADS * (RAMP + WARMUP + WINDOW + LINGER_S + 20) + 300))
{
  echo "commit $COMMIT$DIRTY"
  echo "jar sha256 $(sha256sum "$JAR" | cut -d' ' -f1)"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
  echo "java $("$JAVA" -version 2>&1 | head -1)"
  echo "rtmpdump $(rtmpdump -h 2>&1 | head -1)"
  echo "NS=$NS RUNS=$RUNS WINDOW=$WINDOW RAMP=$RAMP WARMUP=$WARMUP SETTLE_S=$SETTLE_S JOIN_S=$JOIN_S WARM_S=$WARM_S SUB_S=$SUB_S LINGER_S=$LINGER_S CLIENT=$CLIENT"
  echo "pinning ingest node on CPUs $INGEST_CPUS alone; edge1, edge2 on CPUs $EDGE_CPUS; publisher and clients on CPUs $CLIENT_CPUS"
  echo "CASCADE_JAVA_OPTS=$CASCADE_JAVA_OPTS CASCADE_ARGS=$CASCADE_ARGS MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"
  echo "clip $(basename "$CLIP") $REF_KBPS kbit/s"
} > "$OUT/meta.txt"
say "results in $OUT (clip $REF_KBPS kbit/s)"

for ((run = 1; run <= RUNS; run++)); do
  say "run $run: ingest node on CPUs $INGEST_CPUS"
  start_node ingest "$INGEST_CPUS" ingest,origin "$INGEST_RTMP_PORT" "$INGEST_HTTP_PORT" "$INGEST_CLUSTER_PORT" \
    "$INGEST_API_PORT" "$OUT/logs/run$run-ingest.log"
  start_publisher "$OUT/logs/run$run-publisher.log" "$PUB_S"
  sleep "$SETTLE_S"

  say "run $run: edges on CPUs $EDGE_CPUS; both subscribed for ${WARM_S}s before anything is measured"
  start_node edge1 "$EDGE_CPUS" edge "$EDGE1_RTMP_PORT" "$EDGE1_HTTP_PORT" "$EDGE1_CLUSTER_PORT" 0 \
    "$OUT/logs/run$run-edge1.log" "127.0.0.1:$INGEST_CLUSTER_PORT"
  start_node edge2 "$EDGE_CPUS" edge "$EDGE2_RTMP_PORT" "$EDGE2_HTTP_PORT" "$EDGE2_CLUSTER_PORT" 0 \
    "$OUT/logs/run$run-edge2.log" "127.0.0.1:$INGEST_CLUSTER_PORT"
  sleep "$JOIN_S"
  # the warm-up: the ingest node's sends to edges and the edges' playback compiled before the first window
  V1_PID=$(start_viewer "$EDGE1_RTMP_PORT" "$PUB_S"); V2_PID=$(start_viewer "$EDGE2_RTMP_PORT" "$PUB_S")
  sleep "$WARM_S"
  if [ $((run % 2)) = 1 ]; then   # 2, 1, 0 subscribed
    measure "run$run-sub2" edge1 edge2
    board "$run"
    stop_pid "$V2_PID" 5; V2_PID=; sleep "$LINGER_S"
    measure "run$run-sub1" edge1 edge2
    stop_pid "$V1_PID" 5; V1_PID=; sleep "$LINGER_S"
    measure "run$run-sub0" edge1 edge2
  else                            # 0, 1, 2 subscribed
    stop_pid "$V1_PID" 5; stop_pid "$V2_PID" 5; V1_PID=; V2_PID=; sleep "$LINGER_S"
    measure "run$run-sub0" edge1 edge2
    V1_PID=$(start_viewer "$EDGE1_RTMP_PORT" "$PUB_S"); sleep "$SUB_S"
    measure "run$run-sub1" edge1 edge2
    V2_PID=$(start_viewer "$EDGE2_RTMP_PORT" "$PUB_S"); sleep "$SUB_S"
    measure "run$run-sub2" edge1 edge2
    board "$run"
    stop_pid "$V1_PID" 5; stop_pid "$V2_PID" 5; V1_PID=; V2_PID=; sleep "$LINGER_S"
  fi

  loads=()
  for edges in 1 2; do for n in $NS; do loads+=("$edges $n"); done; done
  if [ $((run % 2)) = 0 ]; then
    rev=(); for ((i = ${#loads[@]} - 1; i >= 0; i--)); do rev+=("${loads[i]}"); done; loads=("${rev[@]}")
  fi
  for l in "${loads[@]}"; do
    read -r edges n <<< "$l"
    say "run $run: $n $CLIENT viewers on $edges edge(s)"
    load "$run" "$edges" "$n"
    sleep "$LINGER_S"
  done

  # problems while measuring (members leaving make Hazelcast warn, so this is read before the edges stop)
  for node in ingest edge1 edge2; do
    issues=$(grep -cE ' (WARN|ERROR) |Exception|OutOfMemory' "$OUT/logs/run$run-$node.log" || true)
    echo "run $run $node: $issues WARN/ERROR/exception lines before the edges stopped" >> "$OUT/log-issues.txt"
    [ "$issues" = 0 ] || say "run $run: $node's log has $issues WARN/ERROR/exception lines"
  done
  # last, with everything on the ingest node compiled: the ingest node alone with its publisher, no edge
  stop_pid "$E1_PID" "$STOP_S"; wait "$E1_PID" 2>/dev/null || true; E1_PID=
  stop_pid "$E2_PID" "$STOP_S"; wait "$E2_PID" 2>/dev/null || true; E2_PID=
  sleep "$JOIN_S"
  measure "run$run-alone"
  stop_publisher
  stop_pid "$ING_PID" "$STOP_S"; wait "$ING_PID" 2>/dev/null || true; ING_PID=
done
rm -rf "$OUT/data" "$OUT/cascade-node.jar"
gzip -9 -q "$OUT"/logs/*.log 2>/dev/null || true

python3 "$HERE/capacity-table.py" "$OUT" | tee "$OUT/table.md"
say "table: $OUT/table.md"
