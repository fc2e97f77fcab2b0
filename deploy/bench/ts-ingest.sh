#!/usr/bin/env bash
# MPEG-TS ingest cost: CPU per ingested Mbit/s of one Cascade node against `ffmpeg -i udp://... -c copy -f null -`
# reading the same datagrams, measured in the same run on the same core.
#
#   deploy/bench/ts-ingest.sh                 # 3 runs of each side, about 7 minutes
#   RUNS=5 MBPS=8 deploy/bench/ts-ingest.sh
#
# A clip of MBPS Mbit/s (H.264 CBR 720p25 and AAC, MPEG-TS, CLIP_S seconds) is made once. Each run sends it in real
# time (ffmpeg -re -c copy) to a multicast group on loopback; the reader under test joins the group: first a Cascade
# node (every role, a TS listener on the group; no viewer), then ffmpeg copying to null. The reader is pinned to
# SERVER_CPUS, the sender to CLIENT_CPUS. CPU is utime+stime from /proc over WINDOW_S seconds after WARMUP_S.
# The node's idle CPU (no publisher, WINDOW_S seconds) is measured too, so the table shows the cost with and
# without it. Results: a table on stdout and raw numbers in $OUT (default deploy/bench/results/ts-ingest-<time>).
#
# Env (defaults): MBPS 8, CLIP_S 60, RUNS 3, SETTLE_S 20 (node start to idle window), WARMUP_S 5, WINDOW_S 30, SERVER_CPUS 0, CLIENT_CPUS 1,
#   GROUP 239.255.42.9, PORT 19000 (UDP), NODE_PORTS_BASE 19100 (node RTMP/HTTP/API/cluster = base+0..3),
#   CASCADE_JAVA_OPTS as deploy/bin/cascade, JAVA java, BENCH_WORK /tmp/cascade-bench
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
MBPS=${MBPS:-8}; CLIP_S=${CLIP_S:-60}; RUNS=${RUNS:-3}; WARMUP_S=${WARMUP_S:-5}; WINDOW_S=${WINDOW_S:-30}
SETTLE_S=${SETTLE_S:-20}
SERVER_CPUS=${SERVER_CPUS:-0}; CLIENT_CPUS=${CLIENT_CPUS:-1}
GROUP=${GROUP:-239.255.42.9}; PORT=${PORT:-19000}; BASE=${NODE_PORTS_BASE:-19100}
JAVA=${JAVA:-java}; BENCH_WORK=${BENCH_WORK:-/tmp/cascade-bench}
[ -n "${CASCADE_JAVA_OPTS:-}" ] || CASCADE_JAVA_OPTS=$("$ROOT/deploy/bin/jvm-options")
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
OUT=${OUT:-$ROOT/deploy/bench/results/ts-ingest-$(date -u +%Y%m%d-%H%M%S)}
JAR=$ROOT/deploy/target/cascade-node.jar
CLK_TCK=$(getconf CLK_TCK)

die() { echo "ts-ingest: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
for tool in ffmpeg taskset curl; do command -v $tool >/dev/null || die "$tool is missing"; done
[ -f "$JAR" ] || die "no $JAR: build it first (mvn -B -DskipTests package)"
mkdir -p "$OUT" "$BENCH_WORK"

clip=$BENCH_WORK/ts-${MBPS}mbit-${CLIP_S}s.ts
if [ ! -f "$clip" ]; then
  say "making $clip"
  kbps=$(( MBPS * 1000 - 200 ))
  taskset -c "$CLIENT_CPUS" ffmpeg -hide_banner -nostdin -loglevel error -y \
    -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$CLIP_S" \
    -c:v libx264 -preset veryfast -g 50 -b:v ${kbps}k -minrate ${kbps}k -maxrate ${kbps}k -bufsize 4M \
    -x264-params nal-hrd=cbr -c:a aac -b:a 128k -f mpegts "$clip"
fi

# bytes the node's TS listeners received so far
ts_bytes() {
  curl -s "http://127.0.0.1:$((BASE + 1))/metrics" \
    | awk '/^cascade_ingest_bytes_total\{.*protocol="ts"/ { printf "%.0f", $2 }'
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU share of one core used by $1 over WINDOW_S seconds
cpu_over_window() {
  local pid=$1 a b
  a=$(ticks "$pid"); sleep "$WINDOW_S"; b=$(ticks "$pid")
  awk -v d=$((b - a)) -v hz="$CLK_TCK" -v w="$WINDOW_S" 'BEGIN { printf "%.2f", 100 * d / hz / w }'
}
send() {
  taskset -c "$CLIENT_CPUS" ffmpeg -hide_banner -nostdin -loglevel error -re -i "$clip" -c copy \
    -f mpegts "udp://$GROUP:$PORT?pkt_size=1316&localaddr=127.0.0.1&ttl=0" </dev/null >/dev/null 2>&1 &
  echo $!   # its output goes elsewhere: $(send) would otherwise wait for it to end
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

node_run() {
  local log=$OUT/node-$1.log
  taskset -c "$SERVER_CPUS" "$JAVA" $CASCADE_JAVA_OPTS --add-modules java.se \
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Dhazelcast.logging.type=slf4j -jar "$JAR" \
    --bind.host=127.0.0.1 --rtmp.port=$BASE --http.port=$((BASE + 1)) --api.port=$((BASE + 2)) \
    --cluster.port=$((BASE + 3)) --cluster.name=ts-bench-$$ --node.name=ts-bench \
    --ts.listeners="udp://:$PORT?stream=bench&group=$GROUP&interface=127.0.0.1" >"$log" 2>&1 &
  local node=$!
  for _ in $(seq 1 120); do
    grep -q "cascade node ts-bench ready" "$log" && break
    kill -0 $node 2>/dev/null || die "the node exited: $(tail -5 "$log")"
    sleep 0.5
  done
  sleep "$SETTLE_S"   # past the start's class loading and compilation
  local idle; idle=$(cpu_over_window $node)
  local sender; sender=$(send)
  sleep "$WARMUP_S"
  local before; before=$(ts_bytes)
  local busy; busy=$(cpu_over_window $node)
  local after; after=$(ts_bytes)
  curl -s "http://127.0.0.1:$((BASE + 1))/metrics" | grep -E '^cascade_(ingest_bytes|input_errors)_total\{.*protocol="ts"' \
    >"$OUT/node-$1.metrics" || true
  stop_pid "$sender"; stop_pid $node
  echo "$idle $busy $(awk -v a="$before" -v b="$after" -v w="$WINDOW_S" 'BEGIN { printf "%.2f", (b - a) * 8 / w / 1e6 }')"
}

ffmpeg_run() {
  local sender; sender=$(send)
  taskset -c "$SERVER_CPUS" ffmpeg -hide_banner -nostdin -loglevel error \
    -i "udp://$GROUP:$PORT?localaddr=127.0.0.1&fifo_size=1000000&overrun_nonfatal=1" -c copy -f null - \
    </dev/null >/dev/null 2>&1 &
  local reader=$!
  sleep "$WARMUP_S"
  local busy; busy=$(cpu_over_window $reader)
  stop_pid "$sender"; stop_pid $reader
  echo "$busy"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$OUT/raw.txt"
for i in $(seq 1 "$RUNS"); do
  say "run $i/$RUNS: cascade"
  read -r idle busy mbps < <(node_run "$i")
  echo "cascade run=$i idle_cpu_pct=$idle ingest_cpu_pct=$busy received_mbps=$mbps" | tee -a "$OUT/raw.txt" >&2
  say "run $i/$RUNS: ffmpeg"
  f=$(ffmpeg_run)
  echo "ffmpeg run=$i ingest_cpu_pct=$f" | tee -a "$OUT/raw.txt" >&2
done

c_busy=$(grep '^cascade' "$OUT/raw.txt" | sed 's/.*ingest_cpu_pct=\([0-9.]*\).*/\1/' | median)
rate=$(grep '^cascade' "$OUT/raw.txt" | sed 's/.*received_mbps=//' | median)
c_idle=$(grep '^cascade' "$OUT/raw.txt" | sed 's/.*idle_cpu_pct=\([0-9.]*\).*/\1/' | median)
f_busy=$(grep '^ffmpeg' "$OUT/raw.txt" | sed 's/.*ingest_cpu_pct=//' | median)
{
  echo "MPEG-TS ingest, $rate Mbit/s received (a $MBPS Mbit/s clip) over UDP multicast on loopback, median of $RUNS runs ($(date -u +%F), $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "| reader | CPU % of a core | CPU % per Mbit/s | ratio to ffmpeg |"
  echo "|---|---|---|---|"
  awk -v c="$c_busy" -v i="$c_idle" -v f="$f_busy" -v m="$rate" 'BEGIN {
    printf "| cascade node (all roles) | %.2f | %.3f | %.2fx |\n", c, c / m, c / f
    printf "| cascade node, its idle CPU (%.2f) taken off | %.2f | %.3f | %.2fx |\n", i, c - i, (c - i) / m, (c - i) / f
    printf "| ffmpeg -c copy -f null | %.2f | %.3f | 1.00x |\n", f, f / m
  }'
} | tee "$OUT/table.md"
