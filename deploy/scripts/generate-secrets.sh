#!/usr/bin/env bash
# Writes the deployment's secrets: random passwords in secrets/ and in .env, and the Redis ACL
# file with the app user's password hash. Existing values are kept unless --rotate is given, in
# which case every password is replaced. TLS certificates come from `infraprime certs`.
#
#   deploy/scripts/generate-secrets.sh [--rotate] [--env-file FILE] [--secrets-dir DIR]
set -euo pipefail

deploy_dir="$(cd "$(dirname "$0")/.." && pwd)"
env_file="$deploy_dir/.env"
secrets_dir="$deploy_dir/secrets"
rotate=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rotate) rotate=1 ;;
    --env-file) env_file="$2"; shift ;;
    --secrets-dir) secrets_dir="$2"; shift ;;
    *) echo "generate-secrets: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

umask 077
mkdir -p "$secrets_dir"
[[ -f "$env_file" ]] || cp "$deploy_dir/.env.example" "$env_file"

# Hex keeps the passwords safe inside URLs and configuration files without escaping.
random_secret() { openssl rand -hex 32; }

# Prints the value of KEY in the env file, or nothing when it is unset or empty.
env_value() { sed -n "s/^$1=//p" "$env_file" | tail -n 1; }

# Sets KEY=VALUE in the env file, replacing an existing line.
set_env() {
  local key="$1" value="$2" temp
  temp="$(mktemp "$env_file.XXXXXX")"
  grep -v "^$key=" "$env_file" >"$temp" || true
  printf '%s=%s\n' "$key" "$value" >>"$temp"
  mv "$temp" "$env_file"
}

# Keeps KEY's value unless it is empty or --rotate was given; prints the value in use.
ensure_env_secret() {
  local key="$1" value
  value="$(env_value "$key")"
  if [[ -z "$value" || "$rotate" == 1 ]]; then
    value="$(random_secret)"
    set_env "$key" "$value"
  fi
  printf '%s' "$value"
}

ensure_file_secret() {
  local path="$secrets_dir/$1"
  if [[ ! -s "$path" || "$rotate" == 1 ]]; then
    random_secret >"$path"
  fi
}

postgres_app_password="$(ensure_env_secret POSTGRES_APP_PASSWORD)"
redis_app_password="$(ensure_env_secret REDIS_APP_PASSWORD)"
ensure_env_secret INFRAPRIME_METRICS_TOKEN >/dev/null
ensure_file_secret postgres_superuser_password
printf '%s\n' "$postgres_app_password" >"$secrets_dir/postgres_app_password"

# Redis stores only the SHA-256 of the password, written as `#<hex>` in the ACL file.
redis_hash="$(printf '%s' "$redis_app_password" | openssl dgst -sha256 -r | cut -d' ' -f1)"
sed "s/@PASSWORD_SHA256@/$redis_hash/" "$deploy_dir/redis/users.acl.template" \
  >"$secrets_dir/redis_users.acl"

echo "generate-secrets: wrote $env_file and $secrets_dir" >&2
