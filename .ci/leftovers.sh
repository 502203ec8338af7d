#!/usr/bin/env bash
# Nothing outlives the run (issue 32): the services the tests start
# (redis-server, PostgreSQL, Janus, coturn, nginx) must all be gone when the
# tests end.
#
#   .ci/leftovers.sh snapshot FILE   before the tests: such processes running now
#   .ci/leftovers.sh check FILE      after them: prints each one that is running
#                                    now and was not in FILE (pid and command
#                                    line), kills it, and exits 1 if there were any
#
# A process is its pid and its start time (field 22 of /proc/PID/stat), so a
# pid reused during the run is not taken for one that was there before.
# Zombies are skipped: they have ended, only their exit status is left.
set -uo pipefail

# Process names (pgrep -x: the whole name; nginx's workers and PostgreSQL's backends keep theirs).
# One pgrep each: pgrep refuses (matches nothing, with a warning) a pattern over 15 characters.
NAMES=(redis-server postgres janus turnserver nginx)

# "pid starttime" of each such process alive now.
services() {
  local pid stat name
  for pid in $(for name in "${NAMES[@]}"; do pgrep -x "$name"; done); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    # Fields after the command name (which may hold spaces), from the last ')'.
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields on purpose: $1 is the state, ${20} the start time
    set -- $stat
    [ "$1" = Z ] && continue
    echo "$pid ${20}"
  done
}

case "${1:-}" in
  snapshot)
    [ -n "${2:-}" ] || { echo "usage: $0 snapshot FILE" >&2; exit 2; }
    services >"$2"
    ;;
  check)
    [ -n "${2:-}" ] || { echo "usage: $0 check FILE" >&2; exit 2; }
    before=$(cat "$2" 2>/dev/null || true)
    left=()
    while read -r pid start; do
      [ -n "$pid" ] || continue
      grep -qx "$pid $start" <<<"$before" && continue
      left+=("$pid")
      echo "leftover process: pid $pid (parent $(ps -o ppid= -p "$pid" | tr -d ' ')): $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ *$//')"
    done < <(services)
    if [ ${#left[@]} -eq 0 ]; then
      echo "leftover processes: none (redis-server, postgres, janus, turnserver, nginx)"
      exit 0
    fi
    kill -KILL "${left[@]}" 2>/dev/null
    echo "leftover processes: ${#left[@]} outlived the tests and were killed; every service a test starts must end with it (issue 32): the run fails"
    exit 1
    ;;
  *)
    echo "usage: $0 snapshot FILE | check FILE" >&2
    exit 2
    ;;
esac
