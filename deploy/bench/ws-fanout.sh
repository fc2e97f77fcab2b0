#!/usr/bin/env bash
# WebSocket fMP4 viewers against RTMP viewers of the same stream on the same Cascade node: the node's CPU per 100
# viewers, delivery and RSS, both sides measured in the same run.
#
#   deploy/bench/ws-fanout.sh                      # N = 100 and 400, 3 runs, about 15 minutes
#   NS=40 RUNS=1 WINDOW=6 RAMP=2 WARMUP=2 SETTLE_S=2 IDLE_S=2 deploy/bench/ws-fanout.sh   # a 1-minute smoke run
#
# A 720p30 H.264 CBR 1.5 Mbit/s + AAC 128 kbit/s clip (1.65 Mbit/s, GOP 1 s, FLV) is made once with ffmpeg. For each
# run, each N and each side (ws, rtmp; the order alternates between runs) a FRESH node is started (every role, the
# JVM options of rtmp-fanout.sh, everything on 127.0.0.1 and free ports, pinned to SERVER_CPUS), the clip is
# published to it in real time over RTMP (ffmpeg -re -stream_loop -1 -c copy, on CLIENT_CPUS), the node's CPU is
# read over IDLE_S with the publisher only (after SETTLE_S), then N viewers connect (fanout_load.py on CLIENT_CPUS: WebSocket viewers of
# ws://127.0.0.1:<http>/test/ws in one asyncio process, or one rtmpdump per viewer of rtmp://127.0.0.1:<rtmp>/live/test)
# over RAMP s, and after WARMUP s the node's CPU (utime + stime of /proc/<pid>/stat), its RSS and every viewer's bytes
# are measured over WINDOW s. Publisher and node are stopped by their PIDs before the next side starts: never both
# loads at once. The table is the median of the runs.
#
# Env (defaults):
#   NS "100 400"; RUNS 3; RAMP 10; WARMUP 8; WINDOW 20; SETTLE_S 10 (stream live to the publisher-only window);
#   IDLE_S 10 (the publisher-only CPU window)
#   SERVER_CPUS 0 (the node); CLIENT_CPUS 1 (publisher, viewers)
#   RTMP_PORT / HTTP_PORT / API_PORT / CLUSTER_PORT  19935 / 18888 / 17777 / 15701; a taken default moves to the next
#                free port (bounded search), an explicitly set port that is taken is an error
#   CASCADE_JAVA_OPTS  "-Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1"
#   CASCADE_ARGS extra --key=value node settings; JAVA java; BENCH_WORK /tmp/cascade-bench (the clip)
#   OUT deploy/bench/results/ws-fanout-<time> (raw JSON per side, node logs, table.md)
#   STARTUP_S 60 (bound on the node's start and on the stream going live); STOP_S 15 (grace before SIGKILL)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
NS=${NS:-"100 400"}; RUNS=${RUNS:-3}; RAMP=${RAMP:-10}; WARMUP=${WARMUP:-8}; WINDOW=${WINDOW:-20}; IDLE_S=${IDLE_S:-10}
SETTLE_S=${SETTLE_S:-10}
SERVER_CPUS=${SERVER_CPUS:-0}; CLIENT_CPUS=${CLIENT_CPUS:-1}
CASCADE_JAVA_OPTS=${CASCADE_JAVA_OPTS:--Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1}
CASCADE_ARGS=${CASCADE_ARGS:-}
JAVA=${JAVA:-java}; BENCH_WORK=${BENCH_WORK:-/tmp/cascade-bench}
STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-15}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
OUT=${OUT:-$ROOT/deploy/bench/results/ws-fanout-$(date -u +%Y%m%d-%H%M%S)}
JAR=$ROOT/deploy/target/cascade-node.jar
STREAM=test
CLK_TCK=$(getconf CLK_TCK)

die() { echo "ws-fanout: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
for tool in ffmpeg ffprobe rtmpdump python3 taskset ss curl; do
  command -v $tool >/dev/null || die "$tool is missing (apt-get install -y ffmpeg rtmpdump python3 util-linux iproute2 curl)"
done
command -v "$JAVA" >/dev/null || die "java not found (JDK 17+, or set JAVA)"
[ -f "$JAR" ] || die "no $JAR: build it first (mvn -B -o -DskipTests package)"
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "RUNS must be 1..99"
for n in $NS; do [[ $n =~ ^[1-9][0-9]{0,3}$ ]] || die "NS must be numbers 1..9999, not '$n'"; done
if [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "warning: sources are newer than $JAR; measuring the existing jar"
fi

# ---------------------------------------------------------------- ports (loopback only)
# shellcheck source=ports.sh
. "$HERE/ports.sh"
pick_port RTMP_PORT 19935
pick_port HTTP_PORT 18888
pick_port API_PORT 17777
pick_port CLUSTER_PORT 15701

# ---------------------------------------------------------------- the clip, made once
mkdir -p "$OUT/raw" "$OUT/logs" "$BENCH_WORK"
CLIP=$BENCH_WORK/ws-fanout-720p30-1500k-gop1.flv
# shellcheck source=clip.sh
. "$HERE/clip.sh"
make_clip "$CLIP"
# the published bitrate: every packet's bytes over the clip's duration
REF_KBPS=$(ffprobe -v error -show_entries packet=size -show_entries format=duration -of csv=p=0 "$CLIP" \
  | awk -F, 'NF == 1 && $1 ~ /^[0-9]+$/ { b += $1 } /\./ { d = $1 } END { printf "%.1f", b * 8 / d / 1000 }')
say "clip $CLIP: $REF_KBPS kbit/s"

# ---------------------------------------------------------------- processes: started here, stopped by PID
NODE_PID=; PUB_PID=; LOAD_PID=
# shellcheck source=procs.sh
. "$HERE/procs.sh"   # stop_pid
# shellcheck source=node.sh
. "$HERE/node.sh"    # start_node
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_pid "$LOAD_PID" 10; stop_pid "$PUB_PID" 5; stop_pid "$NODE_PID" "$STOP_S"
  wait 2>/dev/null
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fresh_node() {  # LOG: a fresh node (every role, no data left from the last), pinned; up once RTMP and HTTP listen
  local log=$1 i
  rm -rf "$OUT/data"
  # shellcheck disable=SC2086  # CASCADE_ARGS is a word list
  start_node "$OUT" "$SERVER_CPUS" "$log" $CASCADE_ARGS
  for ((i = 0; i < STARTUP_S * 10; i++)); do
    port_busy "$HTTP_PORT" && return 0
    sleep 0.1
  done
  tail -30 "$log" >&2; die "the node did not listen on $HTTP_PORT within ${STARTUP_S}s ($log)"
}

start_publisher() {  # LOG: the clip in real time, looped, over RTMP; waits until the stream is live
  local log=$1 i code
  taskset -c "$CLIENT_CPUS" ffmpeg -hide_banner -nostdin -loglevel error -re -stream_loop -1 -i "$CLIP" -c copy \
    -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM" > "$log" 2>&1 < /dev/null &
  PUB_PID=$!
  for ((i = 0; i < STARTUP_S * 2; i++)); do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/$STREAM/index.m3u8" || true)
    [ "$code" = 200 ] && return 0
    kill -0 "$PUB_PID" 2>/dev/null || { cat "$log" >&2; die "the publisher exited ($log)"; }
    sleep 0.5
  done
  die "the stream did not go live within ${STARTUP_S}s"
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---------------------------------------------------------------- the runs
cp "$JAR" "$OUT/cascade-node.jar"   # a rebuild during the run cannot change what is measured
JAR=$OUT/cascade-node.jar
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)
{
  echo "commit $COMMIT$DIRTY"
  echo "jar sha256 $(sha256sum "$JAR" | cut -d' ' -f1)"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
  echo "java $("$JAVA" -version 2>&1 | head -1)"
  echo "rtmpdump $(rtmpdump -h 2>&1 | head -1)"
  echo "NS=$NS RUNS=$RUNS RAMP=$RAMP WARMUP=$WARMUP WINDOW=$WINDOW SETTLE_S=$SETTLE_S IDLE_S=$IDLE_S SERVER_CPUS=$SERVER_CPUS CLIENT_CPUS=$CLIENT_CPUS"
  echo "CASCADE_JAVA_OPTS=$CASCADE_JAVA_OPTS CASCADE_ARGS=$CASCADE_ARGS MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"
  echo "clip $(basename "$CLIP") $REF_KBPS kbit/s"
} > "$OUT/meta.txt"
say "results in $OUT"

for ((run = 1; run <= RUNS; run++)); do
  order="ws rtmp"; [ $((run % 2)) = 0 ] && order="rtmp ws"
  for n in $NS; do
    for side in $order; do
      tag=run$run-n$n-$side
      say "$tag: fresh node on CPUs $SERVER_CPUS"
      fresh_node "$OUT/logs/$tag-node.log"
      start_publisher "$OUT/logs/$tag-publisher.log"
      sleep "$SETTLE_S"
      a=$(ticks "$NODE_PID"); sleep "$IDLE_S"; b=$(ticks "$NODE_PID")
      idle=$(awk -v d=$((b - a)) -v hz="$CLK_TCK" -v w="$IDLE_S" 'BEGIN { printf "%.2f", 100 * d / hz / w }')
      idle_rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$NODE_PID/status")
      if [ "$side" = ws ]; then url="ws://127.0.0.1:$HTTP_PORT/$STREAM/ws"; client=ws
      else url="rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM"; client=rtmpdump; fi
      say "$tag: publisher only $idle % of a core, RSS $idle_rss MB; $n $side viewers"
      taskset -c "$CLIENT_CPUS" python3 "$HERE/fanout_load.py" --client "$client" --url "$url" -n "$n" \
        --server-pid "$NODE_PID" --ref-kbps "$REF_KBPS" --ramp "$RAMP" --warmup "$WARMUP" --window "$WINDOW" \
        --out "$OUT/raw/$tag.json" > "$OUT/logs/$tag-load.out" 2> "$OUT/logs/$tag-load.err" &
      LOAD_PID=$!
      set +e; wait "$LOAD_PID"; rc=$?; set -e
      LOAD_PID=
      [ -f "$OUT/raw/$tag.json" ] || { cat "$OUT/logs/$tag-load.err" >&2; die "$tag: the load client wrote nothing (exit $rc)"; }
      python3 - "$OUT/raw/$tag.json" "$idle" "$idle_rss" "$run" "$side" <<'EOF'
import json, sys
path, idle, rss, run, side = sys.argv[1:]
d = json.load(open(path))
s = d["summary"]
s.update({"idle_cpu_pct": float(idle), "idle_rss_mb": float(rss), "run": int(run), "side": side})
s["server_cpu_pct_per_100_net"] = round((s["server_cpu_pct"] - s["idle_cpu_pct"]) * 100 / s["n"], 3)
json.dump(d, open(path, "w"), indent=1)
s = d["summary"]
print("== %s n=%d: cpu %.2f %% (%.2f per 100), ok %d, >=98%% %d, min %.3f, RSS %.1f MB" % (
    side, s["n"], s["server_cpu_pct"], s["server_cpu_pct_per_100"], s["viewers_ok"], s["viewers_ge_98pct"],
    s["delivered_ratio_min"] or 0, s["server_rss_mb"] or 0), file=sys.stderr)
EOF
      stop_pid "$PUB_PID" 5; wait "$PUB_PID" 2>/dev/null || true; PUB_PID=
      stop_pid "$NODE_PID" "$STOP_S"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=
      issues=$(grep -cE ' (WARN|ERROR) |Exception|OutOfMemory' "$OUT/logs/$tag-node.log" || true)
      [ "$issues" = 0 ] || say "$tag: the node log has $issues WARN/ERROR/exception lines"
    done
  done
done
rm -rf "$OUT/data" "$OUT/cascade-node.jar"
gzip -9 -q "$OUT"/logs/*.log 2>/dev/null || true

# ---------------------------------------------------------------- the table: median of the runs
python3 - "$OUT" <<'EOF' | tee "$OUT/table.md"
import glob, json, os, statistics, sys
out = sys.argv[1]
meta = dict(l.rstrip("\n").split(" ", 1) for l in open(os.path.join(out, "meta.txt")) if " " in l)
rows = [json.load(open(p))["summary"] for p in sorted(glob.glob(os.path.join(out, "raw", "*.json")))]
ns = sorted({r["n"] for r in rows})
runs = sorted({r["run"] for r in rows})
def get(side, n, key):
    return [r[key] for run in runs for r in rows if r["side"] == side and r["n"] == n and r["run"] == run]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
def fmt(x, d=2):
    return "-" if x is None else ("%%.%df" % d) % x
print("WebSocket fMP4 vs RTMP viewers of one %s kbit/s stream on one Cascade node, median of %d runs (%s, commit %s)"
      % (meta["clip"].split()[1], len(runs), meta["date"][:10], meta["commit"]))
print()
print("| N | metric | RTMP (rtmpdump) | WebSocket | ratio WS/RTMP | the runs' ratios |")
print("|---|---|---|---|---|---|")
for n in ns:
    def line(label, key, d=2, ratio=True):
        w, r = get("ws", n, key), get("rtmp", n, key)
        rs = [a / b for a, b in zip(w, r) if b]
        print("| %d | %s | %s | %s | %s | %s |" % (n, label, fmt(med(r), d), fmt(med(w), d),
              fmt(med(rs)) + "x" if ratio and rs else "-", ", ".join(fmt(x) for x in rs) if ratio else "-"))
    line("node CPU % of one core per 100 viewers", "server_cpu_pct_per_100")
    line("the same, publisher-only CPU taken off", "server_cpu_pct_per_100_net")
    line("node CPU % of one core (total)", "server_cpu_pct", 1)
    line("node CPU % with the publisher only", "idle_cpu_pct")
    line("node RSS MB (end of window)", "server_rss_mb", 1)
    line("node RSS MB with the publisher only", "idle_rss_mb", 1, False)
    w_ok, r_ok = get("ws", n, "viewers_ge_98pct"), get("rtmp", n, "viewers_ge_98pct")
    print("| %d | viewers at >= 98 %% of the bitrate (each run) | %s | %s | - | - |" % (
        n, ", ".join("%d/%d" % (x, n) for x in r_ok), ", ".join("%d/%d" % (x, n) for x in w_ok)))
    line("delivered ratio, worst viewer", "delivered_ratio_min", 3, False)
    line("egress Mbit/s", "egress_mbps", 1)
    busy = lambda side: ", ".join("/".join("%.0f" % v for v in b.values()) for b in get(side, n, "box_busy_pct"))
    print("| %d | box busy %% per CPU over the window (each run; noise check) | %s | %s | - | - |" % (n, busy("rtmp"), busy("ws")))
EOF
say "table: $OUT/table.md"
