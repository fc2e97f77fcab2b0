# Stopping the processes a benchmark script started (sourced; only ever PIDs the script itself started).
#
#   stop_pid PID GRACE_S   SIGTERM, up to GRACE_S for it to exit, then SIGKILL (said on stderr); an empty PID or one
#                          that has exited already is nothing to do

stop_pid() {
  local p=$1 grace=$2 i
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  echo "${0##*/}: $p did not exit within ${grace}s of SIGTERM; SIGKILL" >&2
  kill -KILL "$p" 2>/dev/null || true
}
