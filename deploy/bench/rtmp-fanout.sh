#!/usr/bin/env bash
# RTMP fan-out benchmark: one Cascade node against nginx-rtmp, measured in the same run on the same box.
#
#   deploy/bench/rtmp-fanout.sh                     # N = 100 and 500 rtmpdump players, about 6-8 minutes
#   NS="100 500" deploy/bench/rtmp-fanout.sh
#   NS=100 HLS_NS="100 500" deploy/bench/rtmp-fanout.sh   # and HLS viewers of the MPEG-TS playlist, both servers
#
# Starts ONE Cascade node (every role) pinned to SERVER_CPUS on free loopback ports, lets it settle, runs the
# harness's bin/compare_rtmp.sh against it with the node's side first, stops the node by its PID as soon as the
# harness starts its own nginx-rtmp (so nginx never shares its core with an idle JVM), and copies the comparison
# table to $BENCH_WORK/results/. See deploy/bench/README.md.
#
# Env (defaults):
#   BENCH_HOME   the loopback bench harness (bin/compare_rtmp.sh ...): <repo>/../shared/bench
#   BENCH_WORK   run-time output: /tmp/cascade-bench
#   NS           "100 500"
#   SERVER_CPUS  0 (the node and nginx-rtmp); CLIENT_CPUS 1 (publisher, tap, players)
#   RTMP_PORT / HTTP_PORT / API_PORT / CLUSTER_PORT   19935 / 18888 / 17777 / 15701 (the node's one-member
#                Hazelcast cluster, on 127.0.0.1); when a default port is taken the next free one (bounded search)
#                is used, an explicitly set port that is taken is an error. The harness ports NGINX_RTMP_PORT,
#                NGINX_HTTP_PORT, REF_TAP_PORT, CAND_TAP_PORT (19350, 18080, 19351, 19352) are picked the same way
#   CASCADE_JAVA_OPTS  the node's default JVM options, deploy/bin/jvm-options (the JVM sees the one CPU it is
#                pinned to and picks its serial collector and one-CPU thread counts by itself)
#   SETTLE_S=60  seconds between the node's listener opening and the first publish: a node that has been up a minute
#   CASCADE_ARGS extra --key=value settings for the node (space separated)
#   GC_LOG=1     write a JVM GC log beside the results (0: off)
#   BUILD=0      1: rebuild the node jar even if it exists (mvn -o -DskipTests install)
#   JAVA         java binary (default: java from PATH)
#   STARTUP_S=60 bound on the wait for the node's RTMP listener; STOP_S=15 grace before SIGKILL
# Any other knob of compare_rtmp.sh (WINDOW, RAMP, WARMUP, CLIENT, LAT_PROBES, LAT_PLAY_S, IDLE_MON_S, ORDER,
# NGINX_RTMP_PORT, ...) is passed through from the environment unchanged.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
ROOT=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd -P))

die() { echo "rtmp-fanout: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

# ---------------------------------------------------------------- harness + work folders
if [ -z "${BENCH_HOME:-}" ]; then
  [ -d "$ROOT/../shared/bench" ] || die "the bench harness was not found at $ROOT/../shared/bench; set BENCH_HOME to the folder holding bin/compare_rtmp.sh"
  BENCH_HOME=$(cd "$ROOT/../shared/bench" && pwd -P)
fi
[ -x "$BENCH_HOME/bin/compare_rtmp.sh" ] || die "BENCH_HOME=$BENCH_HOME has no executable bin/compare_rtmp.sh"
BENCH_WORK=${BENCH_WORK:-/tmp/cascade-bench}
case $BENCH_WORK in /*) ;; *) BENCH_WORK=$(pwd -P)/$BENCH_WORK ;; esac
BENCH_WORK=${BENCH_WORK%/}
export BENCH_HOME BENCH_WORK

NS=${NS:-"100 500"}
SERVER_CPUS=${SERVER_CPUS:-0}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
[ -n "${CASCADE_JAVA_OPTS:-}" ] || CASCADE_JAVA_OPTS=$("$ROOT/deploy/bin/jvm-options")
SETTLE_S=${SETTLE_S:-60}
# the node's side first, so that it can be stopped before the harness starts nginx-rtmp on the same core
export ORDER=${ORDER:-cand-first}
CASCADE_ARGS=${CASCADE_ARGS:-}
GC_LOG=${GC_LOG:-1}; BUILD=${BUILD:-0}; JAVA=${JAVA:-java}
STARTUP_S=${STARTUP_S:-60}; STOP_S=${STOP_S:-15}
export NS SERVER_CPUS

# ---------------------------------------------------------------- prerequisites
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need nginx nginx
need ffmpeg ffmpeg
need ffprobe ffmpeg
need rtmpdump rtmpdump
need python3 python3
need taskset util-linux
need ss iproute2
need timeout coreutils
need pgrep procps
mod=${NGINX_RTMP_MODULE:-}
if [ -z "$mod" ]; then
  for d in /usr/lib/nginx/modules /usr/lib64/nginx/modules /usr/share/nginx/modules /usr/local/nginx/modules; do
    [ -f "$d/ngx_rtmp_module.so" ] && { mod=$d/ngx_rtmp_module.so; break; }
  done
fi
if [ "$mod" != builtin ] && { [ -z "$mod" ] || [ ! -f "$mod" ]; }; then missing+=(libnginx-mod-rtmp); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "rtmp-fanout: missing prerequisites; install them with:" >&2
  echo "  apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  exit 1
fi
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (JDK 17+: apt-get install -y openjdk-17-jdk-headless, or set JAVA)"

# ---------------------------------------------------------------- the node jar
JAR=$ROOT/deploy/target/cascade-node.jar
if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  say "building the node jar (mvn -B -q -o -DskipTests install)"
  command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install -y maven)"
  (cd "$ROOT" && mvn -B -q -o -DskipTests install) || (cd "$ROOT" && mvn -B -q -DskipTests install) \
    || die "the build failed; fix it or build $JAR yourself"
  [ -f "$JAR" ] || die "the build did not produce $JAR"
elif [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "warning: sources are newer than $JAR; measuring the existing jar (BUILD=1 rebuilds it)"
fi

# ---------------------------------------------------------------- ports (loopback only)
# shellcheck source=ports.sh
. "$HERE/ports.sh"
# shellcheck source=node.sh
. "$HERE/node.sh"
# the harness's own ports too (nginx-rtmp reference, latency taps), so a second bench on the box does not collide
pick_port NGINX_RTMP_PORT 19350
pick_port NGINX_HTTP_PORT 18080
pick_port REF_TAP_PORT 19351
pick_port CAND_TAP_PORT 19352
export NGINX_RTMP_PORT NGINX_HTTP_PORT REF_TAP_PORT CAND_TAP_PORT
pick_port RTMP_PORT 19935
pick_port HTTP_PORT 18888
pick_port API_PORT 17777
pick_port CLUSTER_PORT 15701

# ---------------------------------------------------------------- run folder, cleanup
STAMP=$(date +%Y%m%d-%H%M%S)
RUN_DIR=${RUN_DIR:-$BENCH_WORK/results/cascade-rtmp-fanout-$STAMP}
export RUN_DIR
mkdir -p "$RUN_DIR" "$BENCH_WORK/results"
NODE_LOG=$RUN_DIR/cascade-node.log
NODE_PID=; CMP_PID=

stop_pid() {  # PID GRACE_S: SIGTERM, bounded wait, SIGKILL; only ever PIDs this script started
  local p=$1 grace=$2 i
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  echo "rtmp-fanout: $p did not exit within ${grace}s of SIGTERM; SIGKILL" >&2
  kill -KILL "$p" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  if [ -n "$CMP_PID" ] && kill -0 "$CMP_PID" 2>/dev/null; then
    say "stopping compare_rtmp.sh ($CMP_PID)"
    stop_pid "$CMP_PID" 30   # it stops nginx, taps, publishers and players it started by itself
    wait "$CMP_PID" 2>/dev/null
  fi
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    say "stopping the Cascade node (pid $NODE_PID)"
    stop_pid "$NODE_PID" "$STOP_S"
    wait "$NODE_PID" 2>/dev/null
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- start the node, pinned like nginx
GC_OPTS=(); [ "$GC_LOG" = 1 ] && GC_OPTS=("-Xlog:gc*:file=$RUN_DIR/cascade-gc.log:uptime,level,tags")
# shellcheck disable=SC2086  # CASCADE_ARGS is a word list
start_node "$RUN_DIR" "$SERVER_CPUS" "$NODE_LOG" $CASCADE_ARGS
echo "$NODE_PID" > "$RUN_DIR/cascade-node.pid"
say "letting the node settle for ${SETTLE_S}s"
sleep "$SETTLE_S"

# ---------------------------------------------------------------- the comparison
# Reports the node's memory and threads after its side, notes whether it was still alive, and stops it.
stop_node() {
  if kill -0 "$NODE_PID" 2>/dev/null; then
    ps -o rss=,nlwp= -p "$NODE_PID" \
      | awk '{printf "== node after its side: RSS %.1f MB, %d threads\n", $1/1024, $2}' >&2 || true
  else
    node_alive=0
  fi
  stop_pid "$NODE_PID" "$STOP_S" || true
  NODE_PID=
}
# HLS viewers (HLS_NS) poll the MPEG-TS playlist: the same kind of segments nginx-rtmp writes, 2 s segments on both
HLS_URL=-
[ -z "${HLS_NS:-}" ] || HLS_URL="http://127.0.0.1:$HTTP_PORT/${STREAM:-test}/ts/index.m3u8"
CAND_NAME=cascade "$BENCH_HOME/bin/compare_rtmp.sh" \
  "rtmp://127.0.0.1:$RTMP_PORT/live" "rtmp://127.0.0.1:$RTMP_PORT/live/${STREAM:-test}" "$HLS_URL" "$NODE_PID" &
CMP_PID=$!
# The harness makes nginx-rtmp's folder just before starting it: by then the node's side is over (or the node is
# second, ORDER=ref-first, and stays). Stopped at once, the node never runs beside nginx-rtmp.
node_alive=1
while kill -0 "$CMP_PID" 2>/dev/null; do
  if [ "$ORDER" = cand-first ] && [ -n "$NODE_PID" ] && [ -d "$RUN_DIR/nginx-ref" ]; then
    stop_node
  fi
  sleep 0.2
done
set +e
wait "$CMP_PID"; CMP_RC=$?
set -e
CMP_PID=

[ -z "$NODE_PID" ] || stop_node
if [ "$node_alive" = 0 ]; then
  echo "rtmp-fanout: the Cascade node died during the run (log $NODE_LOG)" >&2
  [ "$CMP_RC" != 0 ] || CMP_RC=1
fi
issues=$(grep -cE ' (WARN|ERROR) |Exception|OutOfMemory' "$NODE_LOG" || true)
[ "$issues" = 0 ] || say "the node log has $issues WARN/ERROR/exception lines: $NODE_LOG"

OUT=$BENCH_WORK/results/cascade-rtmp-fanout-$STAMP.md
if [ -f "$RUN_DIR/compare.md" ]; then
  cp "$RUN_DIR/compare.md" "$OUT"
  say "table: $OUT (raw results, node log and GC log in $RUN_DIR)"
else
  say "no table was written (see $RUN_DIR/sweep-*.log and $NODE_LOG)"
fi
exit "$CMP_RC"
