#!/usr/bin/env bash
# RTSP fan-out benchmark: one Cascade node against GStreamer's RTSP server (one shared media), RTSP players over TCP
# interleaved, both servers measured in the same run on the same core.
#
#   deploy/bench/rtsp-fanout.sh                      # N = 100 and 400, 3 runs of each server, about 20 minutes
#   NS="100 400" RUNS=3 deploy/bench/rtsp-fanout.sh
#   NS=20 RUNS=1 WINDOW=15 RAMP=2 WARMUP=3 IDLE_S=5 SETTLE_S=5 deploy/bench/rtsp-fanout.sh   # smoke run, ~3 minutes
#
# Each run starts one server at a time, pinned to SERVER_CPUS: a Cascade node (every role) fed over RTMP, or
# gst-rtsp-reference.py fed the same clip as MPEG-TS over UDP, both by ffmpeg -re -stream_loop -1 -c copy on
# CLIENT_CPUS. After SETTLE_S it samples the server's CPU with the publisher only (IDLE_S), then runs rtsp-players.py
# (on CLIENT_CPUS) with N players for each N in NS; the players sample the server's utime+stime and RSS over their
# window. Then the server is stopped and the other one goes through the same steps; the order alternates between
# runs. Results: deploy/bench/results/rtsp-fanout-<time>/ (raw JSON per server, run and N; table.md; logs). See
# deploy/bench/README.md.
#
# Env (defaults):
#   NS "100 400"; RUNS 3; ORDER cascade-first (run 1; later runs alternate) or ref-first
#   SERVERS "cascade reference" (one of them alone: only that one is measured, no ratios)
#   RAMP 10, WARMUP 8, WINDOW 60 (one loop of the 60 s clip, so every window carries the clip's average bitrate)
#   SETTLE_S 15 (publisher start to the idle window), IDLE_S 20 (publisher-only CPU window)
#   SERVER_CPUS 0 (either server); CLIENT_CPUS 1 (publisher and players)
#   STREAM test; PUBLISH rtmp (Cascade's ingest: rtmp, or rtsp = ffmpeg ANNOUNCE/RECORD over TCP)
#   RTSP_PORT / RTMP_PORT / HTTP_PORT / API_PORT / CLUSTER_PORT  15544 / 19940 / 18890 / 17780 / 15710,
#   REF_RTSP_PORT 18554, REF_UDP_PORT 19600 (UDP): a taken default moves to the next free port, an explicitly set
#                port that is taken is an error
#   CASCADE_JAVA_OPTS  "-Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1"
#   CASCADE_ARGS extra --key=value node settings; GC_LOG 1; BUILD 0 (1: rebuild the jar); JAVA java
#   GST_PYTHON /usr/bin/python3 (the Python that python3-gi belongs to)
#   BENCH_HOME   the loopback bench harness (bin/make_media.sh, bin/media_kbps.py): <repo>/../shared/bench
#   BENCH_WORK   /tmp/cascade-bench (the clip; the jar copy and node data of this run)
#   MEDIA        the clip (default: the harness's 720p30 1.5 Mbit/s H.264 + AAC FLV, made if missing); REF_KBPS its
#                media bitrate (default: bin/media_kbps.py)
#   OUT          deploy/bench/results/rtsp-fanout-<UTC time>
#   STARTUP_S 60 (bound on a server's start), STOP_S 15 (grace before SIGKILL)
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
ROOT=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd -P))

die() { echo "rtsp-fanout: $*" >&2; exit 1; }
say() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

NS=${NS:-"100 400"}; RUNS=${RUNS:-3}; ORDER=${ORDER:-cascade-first}
RAMP=${RAMP:-10}; WARMUP=${WARMUP:-8}; WINDOW=${WINDOW:-60}; SETTLE_S=${SETTLE_S:-15}; IDLE_S=${IDLE_S:-20}
SERVER_CPUS=${SERVER_CPUS:-0}; CLIENT_CPUS=${CLIENT_CPUS:-1}
STREAM=${STREAM:-test}; PUBLISH=${PUBLISH:-rtmp}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
CASCADE_JAVA_OPTS=${CASCADE_JAVA_OPTS:--Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1}
CASCADE_ARGS=${CASCADE_ARGS:-}
GC_LOG=${GC_LOG:-1}; BUILD=${BUILD:-0}; JAVA=${JAVA:-java}; GST_PYTHON=${GST_PYTHON:-/usr/bin/python3}
STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-15}
BENCH_WORK=${BENCH_WORK:-/tmp/cascade-bench}
case $BENCH_WORK in /*) ;; *) BENCH_WORK=$(pwd -P)/$BENCH_WORK ;; esac
BENCH_WORK=${BENCH_WORK%/}

for v in RUNS RAMP WARMUP WINDOW SETTLE_S IDLE_S STARTUP_S STOP_S; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number of seconds (or runs), not '${!v}'"
done
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
[ "$WINDOW" -ge 1 ] || die "WINDOW must be at least 1"
for n in $NS; do [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 2000 ] || die "NS: '$n' is not 1..2000"; done
case $ORDER in cascade-first|ref-first) ;; *) die "ORDER must be cascade-first or ref-first" ;; esac
case $PUBLISH in rtmp|rtsp) ;; *) die "PUBLISH must be rtmp or rtsp" ;; esac
SERVERS=${SERVERS:-"cascade reference"}
DO_CASCADE=0; DO_REF=0
for s in $SERVERS; do
  case $s in cascade) DO_CASCADE=1 ;; reference) DO_REF=1 ;; *) die "SERVERS: '$s' is neither cascade nor reference" ;; esac
done

# ---------------------------------------------------------------- prerequisites
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need ffmpeg ffmpeg; need ffprobe ffmpeg; need python3 python3; need taskset util-linux; need ss iproute2
need timeout coreutils; need git git
if ! "$GST_PYTHON" - <<'EOF' >/dev/null 2>&1
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer
Gst.init(None)
for f in ("udpsrc", "tsdemux", "h264parse", "rtph264pay", "aacparse", "rtpmp4gpay", "queue"):
    assert Gst.ElementFactory.find(f), f
EOF
then
  missing+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "rtsp-fanout: missing prerequisites; install them with:" >&2
  echo "  apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  exit 1
fi
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (JDK 17+: apt-get install -y openjdk-17-jdk-headless, or set JAVA)"
CPUS=$(nproc)
for c in ${SERVER_CPUS//,/ } ${CLIENT_CPUS//,/ }; do
  [[ $c =~ ^[0-9]+$ ]] && [ "$c" -lt "$CPUS" ] || die "SERVER_CPUS / CLIENT_CPUS: CPU '$c' does not exist here ($CPUS CPUs)"
done

# ---------------------------------------------------------------- the clip
if [ -z "${MEDIA:-}" ]; then
  if [ -z "${BENCH_HOME:-}" ]; then
    [ -d "$ROOT/../shared/bench" ] || die "the bench harness was not found at $ROOT/../shared/bench; set BENCH_HOME, or MEDIA and REF_KBPS"
    BENCH_HOME=$(cd "$ROOT/../shared/bench" && pwd -P)
  fi
  export BENCH_HOME BENCH_WORK
  MEDIA=$BENCH_WORK/media/test_1280x720_30p_1500k_gop1.flv
  if [ ! -f "$MEDIA" ]; then
    say "making the clip (bin/make_media.sh 1500 1)"
    taskset -c "$CLIENT_CPUS" "$BENCH_HOME/bin/make_media.sh" 1500 1 >/dev/null || die "make_media.sh failed"
  fi
fi
[ -f "$MEDIA" ] || die "no clip at $MEDIA"
if [ -z "${REF_KBPS:-}" ]; then
  if [ -n "${BENCH_HOME:-}" ] && [ -x "$BENCH_HOME/bin/media_kbps.py" ]; then
    REF_KBPS=$("$BENCH_HOME/bin/media_kbps.py" "$MEDIA")
  else
    die "set REF_KBPS (the clip's media bitrate, kbit/s) or BENCH_HOME (for bin/media_kbps.py)"
  fi
fi
[[ $REF_KBPS =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "REF_KBPS must be a number, not '$REF_KBPS'"

# ---------------------------------------------------------------- the node jar
JAR=$ROOT/deploy/target/cascade-node.jar
if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  say "building the node jar (mvn -B -q -o -DskipTests package)"
  command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install -y maven)"
  (cd "$ROOT" && mvn -B -q -o -DskipTests package) || die "the build failed; fix it or build $JAR yourself"
  [ -f "$JAR" ] || die "the build did not produce $JAR"
elif [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "warning: sources are newer than $JAR; measuring the existing jar (BUILD=1 rebuilds it)"
fi

# ---------------------------------------------------------------- ports (loopback only)
# shellcheck source=ports.sh
. "$HERE/ports.sh"
# shellcheck source=node.sh
. "$HERE/node.sh"
pick_port RTSP_PORT 15544
pick_port RTMP_PORT 19940
pick_port HTTP_PORT 18890
pick_port API_PORT 17780
pick_port CLUSTER_PORT 15710
pick_port REF_RTSP_PORT 18554
pick_port REF_UDP_PORT 19600

# ---------------------------------------------------------------- folders, bookkeeping, cleanup
STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/deploy/bench/results/rtsp-fanout-$STAMP}
WORK=$BENCH_WORK/rtsp-fanout-$STAMP   # not committed: the jar copy, node data, GC logs
mkdir -p "$OUT" "$WORK"
CLIENT_BOUND=$((20 + RAMP + WARMUP + WINDOW + 30 + 15))   # the players' own bound (prime + ... + 30) and a margin
N_COUNT=$(wc -w <<<"$NS")
PHASE_BOUND=$((STARTUP_S + 40 + SETTLE_S + IDLE_S + N_COUNT * (CLIENT_BOUND + 5) + 60))

SERVER_PID=; PUB_PID=; CLIENT_PID=
stop_pid() {  # PID GRACE_S: SIGTERM, bounded wait, SIGKILL; only ever PIDs this script started
  local p=$1 grace=$2 i
  [ -n "$p" ] || return 0
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  echo "rtsp-fanout: $p did not exit within ${grace}s of SIGTERM; SIGKILL" >&2
  kill -KILL "$p" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
stop_all() {
  stop_pid "$CLIENT_PID" 5; CLIENT_PID=
  stop_pid "$PUB_PID" 5; PUB_PID=
  stop_pid "$SERVER_PID" "$STOP_S"; SERVER_PID=
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_all
  wait 2>/dev/null
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# how much CPU (utime+stime of every thread) PID used over SECS seconds, in % of one core
CLK_TCK=$(getconf CLK_TCK)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
cpu_over() {
  local pid=$1 secs=$2 a b t0 t1
  a=$(ticks "$pid"); t0=$(date +%s.%N); sleep "$secs"; b=$(ticks "$pid"); t1=$(date +%s.%N)
  awk -v d=$((b - a)) -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", 100 * d / hz / (t1 - t0) }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# wait_listen PORT PID WHAT: bounded wait until something listens on TCP PORT while PID lives
wait_listen() {
  local port=$1 pid=$2 what=$3 i
  for ((i = 0; i < STARTUP_S * 10; i++)); do
    ss -ltnH "( sport = :$port )" 2>/dev/null | grep -q . && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited during startup"
    sleep 0.1
  done
  die "$what did not listen on $port within ${STARTUP_S}s"
}

start_publisher() {  # URL FORMAT LOG: the clip in real time, looped, no re-encoding, on CLIENT_CPUS, bounded
  local url=$1 fmt=$2 log=$3 extra=()
  case $fmt in
    flv) extra=(-f flv -flvflags no_duration_filesize) ;;
    mpegts) extra=(-f mpegts) ;;
    rtsp) extra=(-f rtsp -rtsp_transport tcp) ;;
  esac
  taskset -c "$CLIENT_CPUS" timeout -s INT -k 5 "$PHASE_BOUND" ffmpeg -hide_banner -nostdin -loglevel warning \
    -re -stream_loop -1 -i "$MEDIA" -c copy "${extra[@]}" "$url" >"$log" 2>&1 </dev/null &
  PUB_PID=$!
}

# measure SERVER RUN URL: settle, publisher-only CPU, then the players at each N
measure() {
  local server=$1 run=$2 url=$3 n idle rss
  say "$server (pid $SERVER_PID): waiting until $url plays"
  taskset -c "$CLIENT_CPUS" python3 "$HERE/rtsp-players.py" --url "$url" --check 30 2>>"$OUT/run$run-$server.log" \
    || die "$url did not become playable (logs in $OUT)"
  sleep "$SETTLE_S"
  idle=$(cpu_over "$SERVER_PID" "$IDLE_S"); rss=$(rss_kb "$SERVER_PID")
  echo "{\"server\": \"$server\", \"run\": $run, \"idle_window_s\": $IDLE_S, \"server_cpu_pct\": $idle, \"server_rss_kb\": $rss}" \
    >"$OUT/run$run-$server-idle.json"
  say "$server: publisher only: $idle % of a core, RSS $((rss / 1024)) MB"
  for n in $NS; do
    say "$server: $n players (ramp $RAMP s, warmup $WARMUP s, window $WINDOW s)"
    taskset -c "$CLIENT_CPUS" timeout -k 5 "$CLIENT_BOUND" python3 "$HERE/rtsp-players.py" --url "$url" -n "$n" \
      --ref-kbps "$REF_KBPS" --ramp "$RAMP" --warmup "$WARMUP" --window "$WINDOW" --server-pid "$SERVER_PID" \
      --label "$server run$run n$n" --out "$OUT/run$run-$server-n$n.json" >/dev/null 2>>"$OUT/run$run-$server.log" &
    CLIENT_PID=$!
    wait "$CLIENT_PID" || say "$server: the players exited with status $? (see $OUT/run$run-$server.log)"
    CLIENT_PID=
    kill -0 "$SERVER_PID" 2>/dev/null || die "$server died during the $n-player step"
    [ -f "$OUT/run$run-$server-n$n.json" ] && python3 - "$OUT/run$run-$server-n$n.json" <<'EOF' >&2
import json, sys
d = json.load(open(sys.argv[1]))
print("   server %s %% of a core (%s per 100), ok %d/%d, ratio min %s, ttff p50/p95 %s/%s s, first keyframe p50/p95 %s/%s s, client %s %%%s"
      % (d.get("server_cpu_pct"), d.get("server_cpu_pct_per_100"), d["players_ok"], d["n"], d["ratio_min"],
         d["ttff_median_s"], d["ttff_p95_s"], d["ttfk_median_s"], d["ttfk_p95_s"], d["client_cpu_pct"],
         (", errors %s" % d["errors"]) if d["errors"] else ""))
EOF
  done
}

run_cascade() {
  local run=$1 dir=$WORK/cascade-run$1 log=$OUT/run$1-cascade-node.log
  mkdir -p "$dir"
  local GC_OPTS=(); [ "$GC_LOG" = 1 ] && GC_OPTS=("-Xlog:gc*:file=$dir/gc.log:uptime,level,tags")
  say "run $run: Cascade (rtsp :$RTSP_PORT)"
  # shellcheck disable=SC2086  # CASCADE_ARGS is a word list
  start_node "$dir" "$SERVER_CPUS" "$log" --rtsp.port="$RTSP_PORT" $CASCADE_ARGS
  SERVER_PID=$NODE_PID; NODE_PID=
  cp "$dir/cascade-node.cmd" "$OUT/cascade-node.cmd"
  wait_listen "$RTSP_PORT" "$SERVER_PID" "the Cascade node"
  if [ "$PUBLISH" = rtsp ]; then
    start_publisher "rtsp://127.0.0.1:$RTSP_PORT/$STREAM" rtsp "$OUT/run$run-cascade-publisher.log"
  else
    start_publisher "rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM" flv "$OUT/run$run-cascade-publisher.log"
  fi
  measure cascade "$run" "rtsp://127.0.0.1:$RTSP_PORT/$STREAM"
  stop_pid "$PUB_PID" 5; PUB_PID=
  stop_pid "$SERVER_PID" "$STOP_S"; SERVER_PID=
  local issues; issues=$(grep -cE ' (WARN|ERROR) |Exception|OutOfMemory' "$log" || true)
  [ "$issues" = 0 ] || say "run $run: the node log has $issues WARN/ERROR/exception lines: $log.gz"
  gzip -9f "$log"   # mostly one line per player that joined
  [ ! -f "$dir/gc.log" ] || gzip -9c "$dir/gc.log" >"$OUT/run$run-cascade-gc.log.gz"
  rm -rf "$dir"
}

run_reference() {
  local run=$1 log=$OUT/run$1-reference.log
  say "run $run: starting the GStreamer reference on CPUs $SERVER_CPUS (rtsp :$REF_RTSP_PORT, udp :$REF_UDP_PORT)"
  taskset -c "$SERVER_CPUS" "$GST_PYTHON" "$HERE/gst-rtsp-reference.py" --port "$REF_RTSP_PORT" \
    --udp-port "$REF_UDP_PORT" --name "$STREAM" --duration "$PHASE_BOUND" >"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  wait_listen "$REF_RTSP_PORT" "$SERVER_PID" "the GStreamer reference"
  start_publisher "udp://127.0.0.1:$REF_UDP_PORT?pkt_size=1316" mpegts "$OUT/run$run-reference-publisher.log"
  measure reference "$run" "rtsp://127.0.0.1:$REF_RTSP_PORT/$STREAM"
  stop_pid "$PUB_PID" 5; PUB_PID=
  stop_pid "$SERVER_PID" "$STOP_S"; SERVER_PID=
}

# ---------------------------------------------------------------- what was measured
{
  echo "date_utc: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD) $(git -C "$ROOT" log -1 --format=%s)"
  echo "dirty: $(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!deploy/bench/results' | wc -l) changed tracked files"
  echo "jar: $(sha256sum "$JAR" | cut -c1-16) $(date -u -r "$JAR" +%FT%TZ)"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "gstreamer: $("$GST_PYTHON" -c 'import gi; gi.require_version("Gst", "1.0"); from gi.repository import Gst; Gst.init(None); print(Gst.version_string())')"
  echo "ffmpeg: $(ffmpeg -version | head -1)"
  echo "python (players): $(python3 --version 2>&1)"
  echo "clip: $(basename "$MEDIA"), REF_KBPS $REF_KBPS"
  echo "knobs: SERVERS=\"$SERVERS\" NS=\"$NS\" RUNS=$RUNS ORDER=$ORDER RAMP=$RAMP WARMUP=$WARMUP WINDOW=$WINDOW SETTLE_S=$SETTLE_S IDLE_S=$IDLE_S SERVER_CPUS=$SERVER_CPUS CLIENT_CPUS=$CLIENT_CPUS PUBLISH=$PUBLISH"
  echo "CASCADE_JAVA_OPTS: $CASCADE_JAVA_OPTS"
  echo "CASCADE_ARGS: $CASCADE_ARGS"
} >"$OUT/env.txt"
say "results in $OUT"

for ((run = 1; run <= RUNS; run++)); do
  if { [ "$ORDER" = cascade-first ] && [ $((run % 2)) = 1 ]; } || { [ "$ORDER" = ref-first ] && [ $((run % 2)) = 0 ]; }; then
    [ "$DO_CASCADE" = 0 ] || run_cascade "$run"; [ "$DO_REF" = 0 ] || run_reference "$run"
  else
    [ "$DO_REF" = 0 ] || run_reference "$run"; [ "$DO_CASCADE" = 0 ] || run_cascade "$run"
  fi
done

python3 "$HERE/rtsp-table.py" "$OUT" | tee "$OUT/table.md"
say "table: $OUT/table.md"
