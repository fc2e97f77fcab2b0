#!/usr/bin/env bash
# What the ingest-node-to-edge hop costs: frame-matched latency of a stream played on the ingest node and on an
# edge node of the same cluster, and the ingest node's CPU with 0, 1 and 2 edge nodes subscribed.
# Loopback only; every process it starts is stopped by its PID on exit.
#
# Usage: deploy/bench/cluster-hop.sh            (env: BENCH_HOME, BENCH_WORK, WINDOW=20, PROBES=6, PLAY_S=6)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_HOME=${BENCH_HOME:-$(cd "$root/../shared/bench" 2>/dev/null && pwd || true)}
[ -n "$BENCH_HOME" ] && [ -f "$BENCH_HOME/lib/env.sh" ] || { echo "set BENCH_HOME to the bench harness (../shared/bench)" >&2; exit 2; }
. "$BENCH_HOME/lib/env.sh"
WINDOW=${WINDOW:-20}; PROBES=${PROBES:-6}; PLAY_S=${PLAY_S:-6}
JAR=$root/deploy/target/cascade-node.jar
[ -f "$JAR" ] || (cd "$root" && mvn -B -q -DskipTests install)
[ -f "$BENCH_MEDIA_DEFAULT" ] || "$BENCH_HOME/bin/make_media.sh" >/dev/null
RUN=$BENCH_WORK/results/cluster-hop-$(date +%Y%m%d-%H%M%S); mkdir -p "$RUN"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as deploy/bin/cascade
JAVA_OPTS=(${CASCADE_JAVA_OPTS:--Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1}
  --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Dhazelcast.logging.type=slf4j)
CLUSTER=(--cluster.name=hop-bench --cluster.host=127.0.0.1 --bind.host=127.0.0.1 --http.port=0 --api.port=0)
PIDS=()
cleanup() {
  PIPE_DIR=$RUN/pipe "$BENCH_HOME/bin/pipeline_stop.sh" >/dev/null 2>&1 || true
  for p in "${PIDS[@]}"; do stop_group "$p"; bench_stop_pid "$p" 5 TERM || true; done
}
trap cleanup EXIT INT TERM

start_node() { # name cpu rtmp-port cluster-port roles [members]
  local name=$1 cpu=$2 rtmp=$3 cport=$4 roles=$5 members=${6:-}
  bench_port_busy "$rtmp" && { echo "port $rtmp busy" >&2; exit 1; }
  setsid taskset -c "$cpu" java "${JAVA_OPTS[@]}" -jar "$JAR" "${CLUSTER[@]}" --node.name="$name" --roles="$roles" \
    --rtmp.port="$rtmp" --cluster.port="$cport" ${members:+--cluster.members=$members} \
    > "$RUN/$name.log" 2>&1 < /dev/null &
  PIDS+=($!)
  for _ in $(seq 1 300); do grep -q "cascade node $name ready" "$RUN/$name.log" && return 0; sleep 0.1; done
  echo "$name did not start: $(tail -3 "$RUN/$name.log")" >&2; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_pct() { # pid seconds -> % of one core
  local a b; a=$(cpu_ticks "$1"); sleep "$2"; b=$(cpu_ticks "$1")
  echo "scale=2; ($b - $a) * 100 / $(getconf CLK_TCK) / $2" | bc
}

# the ingest node on the server core, the edges and every client on the other one
start_node ingest 0 19935 15701 ingest,origin,edge
INGEST_PID=${PIDS[0]}
start_node edge1 1 19936 15702 edge 127.0.0.1:15701
start_node edge2 1 19937 15703 edge 127.0.0.1:15701
PIPE_DIR=$RUN/pipe CLIENT_CPUS=1 "$BENCH_HOME/bin/pipeline_start.sh" 127.0.0.1:19935 live/test 600 19351 >/dev/null
sleep 3

probe() { # label url
  taskset -c 1 python3 "$BENCH_HOME/bin/latency_probe.py" --tap-log "$RUN/pipe/tap.log" --rtmp "$2" \
    --probes "$PROBES" --play-s "$PLAY_S" --label "$1" --out "$RUN/latency-$1.json" > "$RUN/latency-$1.out"
}
probe on-ingest rtmp://127.0.0.1:19935/live/test
probe via-edge rtmp://127.0.0.1:19936/live/test

stop_group() { # pid of a setsid'd client: stop its whole process group (timeout and the rtmpdump under it)
  kill -INT -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}

player() { # url -> pid (rtmpdump to /dev/null, bounded)
  setsid taskset -c 1 timeout $((WINDOW * 4 + 30)) rtmpdump -q -v -r "$1" -o /dev/null < /dev/null > /dev/null 2>&1 &
  echo $!
}
sleep 8 # let the probes' edge subscriptions linger out
cpu0=$(cpu_pct "$INGEST_PID" "$WINDOW")
P1=$(player rtmp://127.0.0.1:19936/live/test); PIDS+=("$P1"); sleep 3
cpu1=$(cpu_pct "$INGEST_PID" "$WINDOW")
P2=$(player rtmp://127.0.0.1:19937/live/test); PIDS+=("$P2"); sleep 3
cpu2=$(cpu_pct "$INGEST_PID" "$WINDOW")
stop_group "$P1"; stop_group "$P2"; sleep 6
L1=$(player rtmp://127.0.0.1:19935/live/test); PIDS+=("$L1"); L2=$(player rtmp://127.0.0.1:19935/live/test); PIDS+=("$L2"); sleep 3
cpul=$(cpu_pct "$INGEST_PID" "$WINDOW")

python3 - "$RUN" "$cpu0" "$cpu1" "$cpu2" "$cpul" "$WINDOW" <<'EOF' | tee "$RUN/cluster-hop.md"
import json, sys
run, c0, c1, c2, cl, window = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6]
def lat(label):
    r = json.load(open(f"{run}/latency-{label}.json"))["summary"]["rtmp"]
    return r["steady_latency_p50_s"]["p50"] * 1000, r["steady_latency_max_s"]["p50"] * 1000, r["ttff_s"]["p50"], r["ok"], r["probes"]
a, b = lat("on-ingest"), lat("via-edge")
print(f"| played | latency p50 ms (median of probes) | worst frame ms (median of probes) | time to first frame p50 s | probes ok |")
print(f"|---|---|---|---|---|")
print(f"| on the ingest node | {a[0]:.1f} | {a[1]:.1f} | {a[2]:.3f} | {a[3]}/{a[4]} |")
print(f"| via an edge node | {b[0]:.1f} | {b[1]:.1f} | {b[2]:.3f} | {b[3]}/{b[4]} |")
print(f"| **added by the hop** | **{b[0]-a[0]:.1f}** | **{b[1]-a[1]:.1f}** | | |")
print()
print(f"Ingest node CPU (% of one core, {window} s windows): publisher only {c0:.2f}; 1 edge subscribed {c1:.2f};"
      f" 2 edges {c2:.2f} -> **{(c2 - c0) / 2:.2f} per subscribed edge**; 2 local RTMP players instead {cl:.2f}"
      f" -> {(cl - c0) / 2:.2f} per local player.")
EOF
echo "raw results: $RUN" >&2
