#!/usr/bin/env bash
# Installs PostgreSQL 15 and Redis 7 from Debian packages and starts them on loopback for the
# API tests: PostgreSQL accepts only TLS connections with scram-sha-256, Redis listens on a TLS
# port only with the default user disabled. Writes the connection variables to an env file and
# prints its path, so that a caller can `source "$(bash .ci/services.sh)"`.
#
# Running it again while both servers answer only prints the path. Everything lives under
# INFRAPRIME_SERVICES_DIR (default /tmp/infraprime-services); delete it to start over.
set -euo pipefail

state_dir="${INFRAPRIME_SERVICES_DIR:-/tmp/infraprime-services}"
env_file="$state_dir/services.env"
pg_bin=/usr/lib/postgresql/15/bin
app_user=infraprime

log() { printf 'services: %s\n' "$*" >&2; }

services_healthy() {
  [[ -f "$env_file" ]] || return 1
  # shellcheck disable=SC1090
  source "$env_file"
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$INFRAPRIME_TEST_PG_PORT" || return 1
  redis-cli --tls --cacert "$INFRAPRIME_TEST_CA_FILE" -h 127.0.0.1 -p "$INFRAPRIME_TEST_REDIS_PORT" \
    --user "$app_user" --pass "$INFRAPRIME_TEST_REDIS_PASSWORD" --no-auth-warning ping 2>/dev/null |
    grep -q PONG
}

install_packages() {
  if [[ -x "$pg_bin/postgres" ]] && command -v redis-server >/dev/null && command -v openssl >/dev/null; then
    return
  fi
  log "installing postgresql-15 and redis-server from Debian packages"
  # Keep the packages' own service scripts from starting servers on their default ports.
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postgresql-15 redis-server redis-tools openssl >/dev/null
  if [[ "$created_policy" == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

random_secret() { openssl rand -hex 24; }

make_certificates() {
  local dir="$state_dir/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj '/CN=InfraPrime test CA' \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 30 -extfile "$dir/ext.cnf" -out "$dir/server.crt" 2>/dev/null
  rm -f "$dir/ca.key" "$dir/server.csr"
}

start_postgres() {
  local port="$1" password="$2" data="$state_dir/pg"
  mkdir -p "$data" "$state_dir/pg-tls" "$state_dir/pg-socket"
  cp "$state_dir/tls/server.crt" "$state_dir/tls/server.key" "$state_dir/pg-tls/"
  chown -R postgres:postgres "$data" "$state_dir/pg-tls" "$state_dir/pg-socket"
  chmod 700 "$data" && chmod 600 "$state_dir/pg-tls/server.key"
  runuser -u postgres -- "$pg_bin/initdb" -D "$data" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 >/dev/null
  cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$state_dir/pg-socket'
ssl = on
ssl_cert_file = '$state_dir/pg-tls/server.crt'
ssl_key_file = '$state_dir/pg-tls/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
max_connections = 200
fsync = off
EOF
  cat >"$data/pg_hba.conf" <<EOF
local   all  postgres                 peer
hostssl all  all       127.0.0.1/32   scram-sha-256
EOF
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data" -l "$state_dir/pg-socket/pg.log" -w start >/dev/null
  runuser -u postgres -- "$pg_bin/psql" -q -h "$state_dir/pg-socket" -p "$port" -U postgres \
    -v ON_ERROR_STOP=1 -c "CREATE ROLE $app_user LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE $app_user OWNER $app_user" >/dev/null
}

start_redis() {
  local port="$1" password="$2" dir="$state_dir/redis"
  mkdir -p "$dir"
  cp "$state_dir/tls/server.crt" "$state_dir/tls/server.key" "$state_dir/tls/ca.crt" "$dir/"
  cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
protected-mode yes
port 0
tls-port $port
tls-cert-file $dir/server.crt
tls-key-file $dir/server.key
tls-ca-cert-file $dir/ca.crt
tls-auth-clients no
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
user default off
user $app_user on >$password ~* &* +@all -@dangerous +info
EOF
  chown -R redis:redis "$dir" 2>/dev/null || true
  chmod 600 "$dir/server.key" "$dir/redis.conf"
  if id redis >/dev/null 2>&1; then
    runuser -u redis -- redis-server "$dir/redis.conf"
  else
    redis-server "$dir/redis.conf"
  fi
}

stop_previous() {
  if [[ -f "$state_dir/pg/postmaster.pid" ]]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$state_dir/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [[ -f "$state_dir/redis/redis.pid" ]]; then
    kill "$(cat "$state_dir/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$state_dir"
}

main() {
  if services_healthy; then
    echo "$env_file"
    return
  fi
  install_packages
  stop_previous
  mkdir -p "$state_dir"
  chmod 755 "$state_dir"
  make_certificates

  local pg_port redis_port pg_password redis_password
  pg_port="$(free_port)"
  redis_port="$(free_port)"
  pg_password="$(random_secret)"
  redis_password="$(random_secret)"
  start_postgres "$pg_port" "$pg_password"
  start_redis "$redis_port" "$redis_password"

  local ca="$state_dir/tls/ca.crt"
  umask 077
  cat >"$env_file" <<EOF
export INFRAPRIME_TEST_DATABASE_URL='postgres://$app_user:$pg_password@localhost:$pg_port/$app_user?sslmode=verify-full&sslrootcert=$ca'
export INFRAPRIME_TEST_REDIS_URL='rediss://$app_user:$redis_password@localhost:$redis_port/0'
export INFRAPRIME_TEST_CA_FILE='$ca'
export INFRAPRIME_TEST_PG_PORT='$pg_port'
export INFRAPRIME_TEST_REDIS_PORT='$redis_port'
export INFRAPRIME_TEST_REDIS_PASSWORD='$redis_password'
EOF
  for _ in $(seq 1 50); do
    if services_healthy; then
      log "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (TLS)"
      echo "$env_file"
      return
    fi
    sleep 0.1
  done
  log "the servers did not become ready; see $state_dir/pg-socket/pg.log and $state_dir/redis/redis.log"
  exit 1
}

main "$@"
