#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster: its own temp directory, port and socket directory,
# never the machine's default cluster. Removed completely when this script ends.
#
#   scripts/throwaway-postgres.sh
#       Starts the cluster, prints `DATABASE_URL=postgres://...` on stdout, and keeps it running
#       until its standard input ends (Ctrl-D in a terminal; `mottak-dev` holds a pipe, which the
#       kernel closes when mottak exits, however it exits) or it gets SIGINT/SIGTERM.
#       Standard input, not the parent's pid or a signal, is the lifeline because a parent may
#       start us with signals blocked, and a killed parent lingers as a zombie.
#   scripts/throwaway-postgres.sh -- COMMAND [ARGS...]
#       Starts the cluster, runs COMMAND with DATABASE_URL exported, stops and removes the
#       cluster (also when COMMAND fails or is interrupted) and exits with COMMAND's status.
#
# Runs the server as the `postgres` user when started as root (initdb refuses root).
# Environment: THROWAWAY_PG_PORT picks the port (default: a free one).
set -euo pipefail

log() { echo "throwaway-postgres: $*" >&2; }

bindir=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    log "no PostgreSQL server binaries under /usr/lib/postgresql; run scripts/install-system-packages.sh"
    exit 1
fi

run_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

workdir=$(mktemp -d /tmp/mottak-pg.XXXXXX)
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$workdir/data/postmaster.pid" ]; then
        run_as_owner "$bindir/pg_ctl" -D "$workdir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || kill -9 "$(head -n 1 "$workdir/data/postmaster.pid")" 2>/dev/null || true
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] && chown postgres: "$workdir"
chmod 700 "$workdir"
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s' "$password" >"$workdir/password"
[ "$(id -u)" = 0 ] && chown postgres: "$workdir/password"

run_as_owner "$bindir/initdb" -D "$workdir/data" -U mottak --pwfile="$workdir/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; exit 1; }
rm -f "$workdir/password"

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
started=false
for attempt in 1 2 3 4 5; do
    port=${THROWAWAY_PG_PORT:-$((40000 + RANDOM % 20000))}
    port_is_free "$port" || continue
    if run_as_owner "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
        -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 ${THROWAWAY_PG_OPTIONS:-}" start >/dev/null; then
        started=true
        break
    fi
    log "start on port $port failed (attempt $attempt)"
done
if [ "$started" != true ]; then
    cat "$workdir/server.log" >&2 || true
    exit 1
fi

PGPASSWORD=$password "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U mottak -d postgres \
    -c 'CREATE DATABASE mottak' >/dev/null
url="postgres://mottak:$password@127.0.0.1:$port/mottak"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $workdir)"

if [ "${1:-}" = "--" ]; then
    shift
    set +e
    # What a fault test needs to stop and start this server (scripts/fault-suite.py).
    THROWAWAY_PG_BINDIR=$bindir THROWAWAY_PG_DATA=$workdir/data THROWAWAY_PG_LOG=$workdir/server.log \
        THROWAWAY_PG_OPTIONS_LINE="-p $port -k $workdir -c listen_addresses=127.0.0.1 ${THROWAWAY_PG_OPTIONS:-}" \
        DATABASE_URL=$url "$@"
    exit $?
fi

echo "DATABASE_URL=$url"
while IFS= read -r _; do :; done
log "standard input closed; removing the cluster"
