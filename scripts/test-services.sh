#!/usr/bin/env bash
# Makes PostgreSQL and Redis reachable for the test suite and prints the environment to use.
# Uses DATABASE_URL / REDIS_URL (default: the machine's own servers at their default ports).
# When one is unreachable it starts a private throwaway instance under var/ from the server
# programs on this machine, else through `docker compose up -d db redis`, else it stops and says
# what to install. Output: `export VAR=value` lines for eval.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/timetracker}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

host_port() { # URL -> "host port"
  python3 - "$1" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(u.hostname or "127.0.0.1", u.port or {"redis": 6379}.get(u.scheme, 5432))
PY
}
reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

read -r pg_host pg_port < <(host_port "$DATABASE_URL")
if ! reachable "$pg_host" "$pg_port"; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$pg_bin" ] && [ -x "$pg_bin/postgres" ]; then
    dir=var/test-postgres; port=54329
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown -R postgres "$dir" && run_as=(runuser -u postgres --) || run_as=()
      "${run_as[@]}" "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
    fi
    [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --) || run_as=()
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
    echo "started a private PostgreSQL on port $port" >&2
    DATABASE_URL=postgres://postgres@127.0.0.1:$port/timetracker
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker compose up -d db >&2
    DATABASE_URL=postgres://timetracker:timetracker@127.0.0.1:5432/timetracker
  else
    echo "PostgreSQL is not reachable at $pg_host:$pg_port and cannot be started here:" \
         "install PostgreSQL (apt-get install postgresql) or Docker, or set DATABASE_URL." >&2
    exit 1
  fi
fi

read -r r_host r_port < <(host_port "$REDIS_URL")
if ! reachable "$r_host" "$r_port"; then
  if command -v redis-server >/dev/null; then
    port=63799
    redis-server --daemonize yes --bind 127.0.0.1 --port $port --save "" --appendonly no \
      --dir /tmp --logfile "$PWD/var/test-redis.log" >/dev/null
    echo "started a private Redis on port $port" >&2
    REDIS_URL=redis://127.0.0.1:$port/0
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker compose up -d redis >&2
    REDIS_URL=redis://127.0.0.1:6379/0
  else
    echo "Redis is not reachable at $r_host:$r_port and cannot be started here:" \
         "install Redis (apt-get install redis-server) or Docker, or set REDIS_URL." >&2
    exit 1
  fi
fi
echo "export DATABASE_URL='$DATABASE_URL'"
echo "export REDIS_URL='$REDIS_URL'"
