#!/usr/bin/env bash
# Start or stop throwaway PostgreSQL and Redis servers on loopback, without Docker or systemd.
#   source .ci/services.sh; services_start DIR PGPORT REDISPORT; ...; services_stop DIR REDISPORT
# PostgreSQL refuses to run as root, so it runs as the Debian package's `postgres` user.

services_start() {
  local dir=$1 pg_port=$2 redis_port=$3
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$dir" && chmod 755 "$dir"
  install -d -o postgres -g postgres "$dir/pgdata" "$dir/pgsock"
  runuser -u postgres -- "$pgbin/initdb" -D "$dir/pgdata" -U postgres -A trust --no-sync >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pgdata" -l "$dir/pgdata/server.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $dir/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE ROLE vmo LOGIN CREATEDB PASSWORD 'vmo';"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE vmo OWNER vmo;"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  echo "redis did not start" >&2; return 1
}

services_stop() {
  local dir=$1 redis_port=$2
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  [ -d "$dir/pgdata" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 || true
}
