#!/usr/bin/env bash
# Soak: one Cascade node under publishers, steady viewers over five protocols and churn for an hour (DURATION), its
# memory, descriptors, threads and CPU sampled every SAMPLE_S s, to show whether they stay flat after the warm-up.
# Loopback only; every process it starts is stopped by its PID.
#
#   deploy/bench/soak.sh                          # 60 minutes, 200 viewers
#   DURATION=600 deploy/bench/soak.sh             # 10 minutes
#   DURATION=120 VIEWERS=20 deploy/bench/soak.sh  # a 2-minute smoke run
#
# The node: ONE node with every role, from a copy of deploy/target/cascade-node.jar, the JVM options of deploy/bin/cascade
# (-Xms32m -Xmx1g -XX:MaxDirectMemorySize=256m -XX:MetaspaceSize=96m, MALLOC_ARENA_MAX=2) plus a GC log, a one-member
# cluster on 127.0.0.1, every listener on 127.0.0.1 and a free port.
# The clip: 60 s made once per run with ffmpeg (testsrc2 640x360 25 fps, libx264 ultrafast, GOP 50 = 2 s, 900 kbit/s,
# AAC 96 kbit/s, FLV) in the run's tmp/ folder, deleted at the end.
# The load (soak_load.py, one Python process and the client processes it starts; see its header for the details):
#   publishers  soak1, soak2 over RTMP (ffmpeg -re -stream_loop -1 -c copy -f flv), and soak3 over RTSP/TCP
#               (RTSP_PUBLISH=1); one of them restarted every RESTART_S (SIGTERM and SIGKILL in turn, back 2 s later)
#   viewers     VIEWERS steady viewers spread over the streams, started over RAMP_S, each reconnecting 2 s after its
#               connection ends (counted). Default mix of 200: 80 RTMP (one rtmpdump each), 40 HTTP-FLV (one curl
#               each), 40 WebSocket fMP4 (Python asyncio, fanout_load.py's client), 20 HLS (Python: CMAF and MPEG-TS
#               playlists in turn, FFMPEG_HLS of them ffmpeg instead), 20 RTSP over TCP (Python, rtsp-players.py's
#               player; FFMPEG_RTSP of them ffmpeg instead)
#   churn       from the end of the ramp, CHURN_PER_S short connections a second, cut abruptly, the kinds in turn:
#               RTMP play killed after 1-3 s, HLS playlist + segment (whole or cut), HTTP-FLV cut after 1 s,
#               WebSocket dropped after 0.5-2 s, RTSP DESCRIBE/SETUP/PLAY then the socket closed, and a name nobody
#               publishes over HLS, FLV, WebSocket or RTSP (a 404 is the right answer)
# The samples (every SAMPLE_S s, t = 0 with the publishers only, to t = DURATION, then one COOLDOWN_S after every
# client and publisher stopped): the node's RSS, threads and descriptors (/proc), CPU (/proc/PID/stat), heap after GC
# (the GC log), heap used and committed, old generation after the last major GC, non-heap, direct buffers, Cascade's
# viewers, caches and cascade_memory_held_bytes when the build has it (/metrics); the clients' viewers connected,
# kbit/s per viewer per protocol, reconnects, churn, restarts and CPU.
#
# Env (defaults):
#   DURATION 3600 (s); WARMUP 300, or DURATION/10 when that is shorter; SAMPLE_S 10; VIEWERS 200
#   V_RTMP V_FLV V_WS V_HLS V_RTSP  the mix: 20 % each for FLV and WebSocket, 10 % each for HLS and RTSP, RTMP the
#       rest of VIEWERS; FFMPEG_HLS 2, FFMPEG_RTSP 2 (at most half of their protocol's viewers)
#   RTMP_STREAMS 2; RTSP_PUBLISH 1 (0: no RTSP publisher); CHURN_PER_S 6 (0: none); RESTART_S 300, or DURATION/4
#       when that is shorter, at least 30 (0: no restart); RAMP_S 30, or DURATION/10 when shorter; COOLDOWN_S 20
#   OUT /tmp/cascade-bench/results/soak-<UTC time>: samples.csv, summary.md, clients.json, meta.txt, log-issues.txt,
#       node.log.gz, gc.log.gz, logs/ (the publishers' and the load's own logs, gzipped)
#   ports: RTMP_PORT 19960, RTSP_PORT 15560, HTTP_PORT 18960, API_PORT 17760, CLUSTER_PORT 15760 (a taken default
#       moves to the next free port, an explicitly set port that is taken is an error)
#   CASCADE_JAVA_OPTS as deploy/bin/cascade; CASCADE_ARGS extra --key=value node settings; JAVA java
#   SERVER_CPUS, CLIENT_CPUS: empty (no pinning), or CPU lists for taskset
#   NMT 0 (1: the node runs with -XX:NativeMemoryTracking=summary, and `jcmd PID VM.native_memory summary` is saved
#       at the end of the warm-up and at the end as nmt-t<s>.txt: what RSS is made of; costs the node some memory)
#   BUILD 0 (1: build the jar first, mvn -o package); STARTUP_S 60; STOP_S 20 (grace before SIGKILL)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
DURATION=${DURATION:-3600}; SAMPLE_S=${SAMPLE_S:-10}; VIEWERS=${VIEWERS:-200}
die() { echo "soak: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
[[ $DURATION =~ ^[0-9]{1,6}$ ]] && [ "$DURATION" -ge 30 ] || die "DURATION must be 30..999999 s, not '$DURATION'"
[[ $SAMPLE_S =~ ^[0-9]{1,4}$ ]] && [ "$SAMPLE_S" -ge 1 ] || die "SAMPLE_S must be 1..9999 s"
[[ $VIEWERS =~ ^[0-9]{1,4}$ ]] || die "VIEWERS must be 0..9999"
WARMUP=${WARMUP:-$((DURATION / 10 < 300 ? DURATION / 10 : 300))}
RAMP_S=${RAMP_S:-$((DURATION / 10 < 30 ? DURATION / 10 : 30))}
RESTART_S=${RESTART_S:-$((DURATION / 4 < 300 ? (DURATION / 4 > 30 ? DURATION / 4 : 30) : 300))}
V_FLV=${V_FLV:-$((VIEWERS / 5))}; V_WS=${V_WS:-$((VIEWERS / 5))}
V_HLS=${V_HLS:-$((VIEWERS / 10))}; V_RTSP=${V_RTSP:-$((VIEWERS / 10))}
V_RTMP=${V_RTMP:-$((VIEWERS - V_FLV - V_WS - V_HLS - V_RTSP))}
FFMPEG_HLS=${FFMPEG_HLS:-2}; FFMPEG_RTSP=${FFMPEG_RTSP:-2}
RTMP_STREAMS=${RTMP_STREAMS:-2}; RTSP_PUBLISH=${RTSP_PUBLISH:-1}; CHURN_PER_S=${CHURN_PER_S:-6}
COOLDOWN_S=${COOLDOWN_S:-20}
[ -n "${CASCADE_JAVA_OPTS:-}" ] || CASCADE_JAVA_OPTS=$("$ROOT/deploy/bin/jvm-options")
CASCADE_ARGS=${CASCADE_ARGS:-}
JAVA=${JAVA:-java}; BUILD=${BUILD:-0}; STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-20}
SERVER_CPUS=${SERVER_CPUS:-}; CLIENT_CPUS=${CLIENT_CPUS:-}; NMT=${NMT:-0}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
OUT=${OUT:-/tmp/cascade-bench/results/soak-$(date -u +%Y%m%d-%H%M%S)}
JAR=$ROOT/deploy/target/cascade-node.jar
NAME=soak

for v in WARMUP RAMP_S RESTART_S V_RTMP V_FLV V_WS V_HLS V_RTSP FFMPEG_HLS FFMPEG_RTSP RTMP_STREAMS CHURN_PER_S \
  COOLDOWN_S STARTUP_S STOP_S; do
  [[ ${!v} =~ ^[0-9]{1,6}$ ]] || die "$v must be a whole number 0..999999, not '${!v}'"
done
[ "$WARMUP" -lt "$DURATION" ] || die "WARMUP ($WARMUP s) must be shorter than DURATION ($DURATION s)"
[ "$RTSP_PUBLISH" = 0 ] || [ "$RTSP_PUBLISH" = 1 ] || die "RTSP_PUBLISH must be 0 or 1"
[ "$NMT" = 0 ] || [ "$NMT" = 1 ] || die "NMT must be 0 or 1"
NMT_OPTS=(); NMT_AT=
if [ "$NMT" = 1 ]; then
  command -v jcmd >/dev/null || die "NMT=1 needs jcmd (the JDK's)"
  NMT_OPTS=(-XX:NativeMemoryTracking=summary); NMT_AT=$WARMUP,$DURATION
fi
[ "$RTMP_STREAMS" -ge 1 ] && [ "$RTMP_STREAMS" -le 20 ] || die "RTMP_STREAMS must be 1..20"
[ "$CHURN_PER_S" -le 100 ] || die "CHURN_PER_S must be 0..100"
VIEWERS=$((V_RTMP + V_FLV + V_WS + V_HLS + V_RTSP))
for tool in ffmpeg ffprobe rtmpdump curl python3 ss timeout; do
  command -v $tool >/dev/null || die "$tool is missing (apt-get install -y ffmpeg rtmpdump curl python3 iproute2 coreutils)"
done
command -v "$JAVA" >/dev/null || die "java not found (JDK 17+, or set JAVA)"
PIN_SERVER=(); PIN_CLIENT=()
if [ -n "$SERVER_CPUS" ]; then command -v taskset >/dev/null || die "taskset is missing"; PIN_SERVER=(taskset -c "$SERVER_CPUS"); fi
if [ -n "$CLIENT_CPUS" ]; then command -v taskset >/dev/null || die "taskset is missing"; PIN_CLIENT=(taskset -c "$CLIENT_CPUS"); fi

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  say "building $JAR"
  (cd "$ROOT" && mvn -B -q -o -DskipTests package) || die "the build failed"
fi
if [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "warning: sources are newer than $JAR; soaking the existing jar (BUILD=1 rebuilds)"
fi

# ---------------------------------------------------------------- ports (loopback only)
# shellcheck source=ports.sh
. "$HERE/ports.sh"
pick_port RTMP_PORT 19960
pick_port RTSP_PORT 15560
pick_port HTTP_PORT 18960
pick_port API_PORT 17760
pick_port CLUSTER_PORT 15760

mkdir -p "$OUT/logs" "$OUT/tmp/data"
cp "$JAR" "$OUT/tmp/cascade-node.jar"   # a rebuild during the run cannot change what is soaked

# ---------------------------------------------------------------- processes: started here, stopped by PID
NODE_PID=; LOAD_PID=; CLIP_PID=
# shellcheck source=procs.sh
. "$HERE/procs.sh"   # stop_pid
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_pid "$CLIP_PID" 5
  stop_pid "$LOAD_PID" 40   # it stops its viewers and publishers by their PIDs (and they die with it)
  stop_pid "$NODE_PID" "$STOP_S"
  wait 2>/dev/null
  rm -rf "$OUT/tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- the clip, made once per run
CLIP=$OUT/tmp/clip.flv
say "making the clip (60 s, 640x360 25 fps, ~1 Mbit/s)"
"${PIN_CLIENT[@]}" timeout 300 ffmpeg -hide_banner -nostdin -loglevel error -y \
  -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
  -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 \
  -b:v 900k -maxrate 900k -bufsize 1800k -c:a aac -b:a 96k -ac 2 -f flv "$CLIP" < /dev/null &
CLIP_PID=$!
wait "$CLIP_PID" || die "ffmpeg could not make the clip"
CLIP_PID=
# the published bitrate: every packet's bytes over the clip's duration
REF_KBPS=$(ffprobe -v error -show_entries packet=size -show_entries format=duration -of csv=p=0 "$CLIP" \
  | awk -F, 'NF == 1 && $1 ~ /^[0-9]+$/ { b += $1 } /\./ { d = $1 } END { printf "%.1f", b * 8 / d / 1000 }')
say "clip: $REF_KBPS kbit/s"

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)
{
  echo "commit $COMMIT$DIRTY"
  echo "jar sha256 $(sha256sum "$JAR" | cut -d' ' -f1)"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
  echo "java $("$JAVA" -version 2>&1 | head -1)"
  echo "knobs DURATION=$DURATION WARMUP=$WARMUP SAMPLE_S=$SAMPLE_S VIEWERS=$VIEWERS V_RTMP=$V_RTMP V_FLV=$V_FLV V_WS=$V_WS V_HLS=$V_HLS V_RTSP=$V_RTSP FFMPEG_HLS=$FFMPEG_HLS FFMPEG_RTSP=$FFMPEG_RTSP RTMP_STREAMS=$RTMP_STREAMS RTSP_PUBLISH=$RTSP_PUBLISH CHURN_PER_S=$CHURN_PER_S RESTART_S=$RESTART_S RAMP_S=$RAMP_S COOLDOWN_S=$COOLDOWN_S"
  echo "pinning server ${SERVER_CPUS:-none} clients ${CLIENT_CPUS:-none}"
  echo "jvm $CASCADE_JAVA_OPTS ${NMT_OPTS[*]} MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX; CASCADE_ARGS=$CASCADE_ARGS"
  echo "clip 640x360 25 fps H.264 ultrafast GOP 50 + AAC, $REF_KBPS kbit/s"
} > "$OUT/meta.txt"

# ---------------------------------------------------------------- the node
say "results in $OUT; starting the node (rtmp $RTMP_PORT, rtsp $RTSP_PORT, http $HTTP_PORT, api $API_PORT, cluster $CLUSTER_PORT)"
# shellcheck disable=SC2086  # CASCADE_JAVA_OPTS and CASCADE_ARGS are word lists
(cd "$OUT/tmp" && exec "${PIN_SERVER[@]}" "$JAVA" $CASCADE_JAVA_OPTS \
  -Xlog:gc:file="$OUT/gc.log":uptime,level,tags:filecount=0 "${NMT_OPTS[@]}" \
  --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  -Dhazelcast.logging.type=slf4j -Dhazelcast.socket.bind.any=false \
  -jar "$OUT/tmp/cascade-node.jar" --node.name=$NAME --bind.host=127.0.0.1 --api.host=127.0.0.1 \
  --rtmp.port="$RTMP_PORT" --rtsp.port="$RTSP_PORT" --http.port="$HTTP_PORT" --api.port="$API_PORT" \
  --cluster.host=127.0.0.1 --cluster.port="$CLUSTER_PORT" --cluster.name="soak-$$" --data.dir="$OUT/tmp/data" \
  $CASCADE_ARGS) > "$OUT/node.log" 2>&1 < /dev/null &
NODE_PID=$!
for ((i = 0; i < 20; i++)); do
  [ "$(cat "/proc/$NODE_PID/comm" 2>/dev/null)" = java ] && break
  sleep 0.05
done
[ "$(cat "/proc/$NODE_PID/comm" 2>/dev/null)" = java ] || { tail -20 "$OUT/node.log" >&2; die "pid $NODE_PID is not the JVM"; }
for ((i = 0; i < STARTUP_S * 10; i++)); do
  grep -q "cascade node $NAME ready" "$OUT/node.log" && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -30 "$OUT/node.log" >&2; NODE_PID=; die "the node exited during startup ($OUT/node.log)"; }
  sleep 0.1
done
grep -q "cascade node $NAME ready" "$OUT/node.log" || { tail -30 "$OUT/node.log" >&2; die "the node was not ready within ${STARTUP_S}s"; }
if ss -ltnpH 2>/dev/null | grep "pid=$NODE_PID," | grep -vqE '127\.0\.0\.1:|\[::ffff:127\.0\.0\.1\]:'; then
  say "warning: the node listens on more than loopback: $(ss -ltnpH | grep "pid=$NODE_PID," | awk '{print $4}' | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- the load and the samples
say "soaking for ${DURATION}s: $VIEWERS viewers (rtmp $V_RTMP, flv $V_FLV, ws $V_WS, hls $V_HLS, rtsp $V_RTSP), churn $CHURN_PER_S/s, a publisher restart every ${RESTART_S}s, warm-up ${WARMUP}s"
"${PIN_CLIENT[@]}" python3 "$HERE/soak_load.py" --node-pid "$NODE_PID" --rtmp-port "$RTMP_PORT" \
  --rtsp-port "$RTSP_PORT" --http-port "$HTTP_PORT" --clip "$CLIP" --out "$OUT" --gc-log "$OUT/gc.log" \
  --duration "$DURATION" --sample-s "$SAMPLE_S" --ramp-s "$RAMP_S" --cooldown-s "$COOLDOWN_S" \
  --live-timeout "$STARTUP_S" --rtmp "$V_RTMP" --flv "$V_FLV" --ws "$V_WS" --hls "$V_HLS" --rtsp "$V_RTSP" \
  --ffmpeg-hls "$FFMPEG_HLS" --ffmpeg-rtsp "$FFMPEG_RTSP" --rtmp-streams "$RTMP_STREAMS" \
  --rtsp-publish "$RTSP_PUBLISH" --churn-per-s "$CHURN_PER_S" --restart-s "$RESTART_S" --nmt-at "$NMT_AT" \
  < /dev/null &
LOAD_PID=$!
set +e; wait "$LOAD_PID"; rc=$?; set -e
LOAD_PID=
[ "$rc" = 0 ] || say "the load exited with $rc (its log: $OUT/logs/load.log)"
kill -0 "$NODE_PID" 2>/dev/null || say "the node is gone (see $OUT/node.log)"

stop_pid "$NODE_PID" "$STOP_S"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=
issues=$(grep -cE ' (WARN|ERROR) |Exception|OutOfMemory' "$OUT/node.log" || true)
{
  echo "$issues WARN/ERROR/exception lines in node.log (the node's stop included)"
  # grouped: the time stamp dropped and every number as N, the most frequent first
  grep -E ' (WARN|ERROR) |Exception|OutOfMemory' "$OUT/node.log" | sed -E 's/^[0-9:. -]+//; s/[0-9]+/N/g' | sort \
    | uniq -c | sort -rn | head -40 || true
} > "$OUT/log-issues.txt"
[ "$issues" = 0 ] || say "the node log has $issues WARN/ERROR/exception lines (log-issues.txt)"
[ -f "$OUT/samples.csv" ] || die "no samples were written"
python3 "$HERE/soak-table.py" "$OUT" --warmup "$WARMUP" --viewers "$VIEWERS" --ref-kbps "$REF_KBPS" \
  | tee "$OUT/summary.md"
gzip -9 -f "$OUT/node.log" "$OUT/gc.log" "$OUT"/logs/*.log 2>/dev/null || true
say "summary: $OUT/summary.md"
exit "$rc"
