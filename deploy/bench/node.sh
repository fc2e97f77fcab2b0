# Starting one Cascade node for a benchmark (sourced; the script defines die(), say() and stop_pid PID GRACE_S, and
# sets JAVA, JAR, CASCADE_JAVA_OPTS, STARTUP_S, STOP_S and the ports RTMP_PORT HTTP_PORT API_PORT CLUSTER_PORT,
# picked with ports.sh).
#
#   start_node DIR CPUS LOG [--key=value ...]
#       copies $JAR into DIR (unless it is that copy already), so a rebuild during the run cannot change the classes
#       under the running JVM; starts it pinned to CPUS (taskset) with $CASCADE_JAVA_OPTS and the options in the
#       GC_OPTS array (if any), everything on 127.0.0.1, its data in DIR/data and its output in LOG; writes the
#       command line to DIR/cascade-node.cmd and
#       waits (at most STARTUP_S) until it listens on RTMP_PORT. Sets NODE_PID, the JVM's own PID (taskset execs
#       java); the caller stops it by that PID. A node that does not come up is stopped before die().
# Needs ports.sh (port_busy), sourced by the caller before it picks its ports.
# shellcheck shell=bash

start_node() {
  local dir=$1 cpus=$2 log=$3 i pid
  shift 3
  [ "$JAR" -ef "$dir/cascade-node.jar" ] || cp "$JAR" "$dir/cascade-node.jar"
  # The same JVM flags as deploy/bin/cascade (keep in sync). Everything on 127.0.0.1: the listeners (flags), the
  # cluster member and event bus (CASCADE_CLUSTER_* settings, ignored by a node that has no cluster yet) and
  # Hazelcast's server socket (hazelcast.socket.bind.any=false; by default it listens on every interface).
  # shellcheck disable=SC2206  # CASCADE_JAVA_OPTS is a word list
  local cmd=("$JAVA" $CASCADE_JAVA_OPTS ${GC_OPTS[@]+"${GC_OPTS[@]}"}
    --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    -Dhazelcast.logging.type=slf4j -Dhazelcast.socket.bind.any=false
    -jar "$dir/cascade-node.jar"
    --bind.host=127.0.0.1 --api.host=127.0.0.1
    --rtmp.port="$RTMP_PORT" --http.port="$HTTP_PORT" --api.port="$API_PORT" --data.dir="$dir/data"
    "$@")
  echo "${cmd[*]}" > "$dir/cascade-node.cmd"
  say "starting Cascade on CPUs $cpus: rtmp 127.0.0.1:$RTMP_PORT http :$HTTP_PORT api :$API_PORT cluster :$CLUSTER_PORT, log $log"
  # As an asynchronous command of a script it ignores Ctrl-C; the caller stops it by its PID on exit.
  (cd "$dir" && CASCADE_CLUSTER_HOST=127.0.0.1 CASCADE_CLUSTER_PORT=$CLUSTER_PORT CASCADE_CLUSTER_MEMBERS= \
    exec taskset -c "$cpus" "${cmd[@]}") > "$log" 2>&1 < /dev/null &
  NODE_PID=$!
  for ((i = 0; i < 20; i++)); do
    [ "$(cat "/proc/$NODE_PID/comm" 2>/dev/null)" = java ] && break
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.05
  done
  [ "$(cat "/proc/$NODE_PID/comm" 2>/dev/null)" = java ] \
    || { tail -20 "$log" >&2; pid=$NODE_PID; NODE_PID=; stop_pid "$pid" 3; die "pid $pid is not the JVM"; }
  for ((i = 0; i < STARTUP_S * 10; i++)); do
    port_busy "$RTMP_PORT" && break
    kill -0 "$NODE_PID" 2>/dev/null || { tail -30 "$log" >&2; NODE_PID=; die "the node exited during startup (log $log)"; }
    sleep 0.1
  done
  port_busy "$RTMP_PORT" || { tail -30 "$log" >&2; pid=$NODE_PID; NODE_PID=; stop_pid "$pid" "$STOP_S"
    die "the node did not listen on $RTMP_PORT within ${STARTUP_S}s"; }
  say "Cascade pid $NODE_PID listens on 127.0.0.1:$RTMP_PORT after $((i / 10)).$((i % 10)) s"
  # loopback only: warn about any listener of the node on another address
  local other
  if other=$(ss -tulnpH 2>/dev/null | grep "pid=$NODE_PID," | awk '{print $5}' | grep -vE '^(\[::ffff:)?127\.'); then
    say "warning: the node also listens on: $(echo $other)"
  fi
}
