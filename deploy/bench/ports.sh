# Loopback port picking shared by the benchmark scripts (sourced; the script defines die()).
#
#   pick_port VAR DEFAULT   an explicitly set $VAR must be a free port; a default one moves up to the next free port
#                           (at most 100 tries) that no other pick_port of this run took. A port counts as busy when
#                           anything listens on it over TCP or UDP.

port_busy() { ss -ltnH "( sport = :$1 )" 2>/dev/null | grep -q . || ss -lunH "( sport = :$1 )" 2>/dev/null | grep -q .; }
TAKEN=" "
pick_port() {
  local var=$1 def=$2 p i
  if [ -n "${!var:-}" ]; then
    p=${!var}
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -gt 0 ] && [ "$p" -lt 65536 ] || die "$var must be a port, not '$p'"
    port_busy "$p" && die "$var=$p is in use"
    [[ $TAKEN == *" $p "* ]] && die "$var=$p collides with another port of this run"
  else
    p=$def
    for ((i = 0; i < 100; i++)); do
      port_busy "$p" || [[ $TAKEN == *" $p "* ]] || break
      p=$((p + 1))
    done
    [ "$i" -lt 100 ] || die "no free port in $def..$((def + 99)) for $var"
  fi
  TAKEN+="$p "
  printf -v "$var" '%s' "$p"
}
