#!/usr/bin/env bash
# warren's CI on a bare machine: find or install Deno (from npm), install tmux
# and RabbitMQ (Debian) when missing, start RabbitMQ with the management
# plugin, then run fmt/lint/check and the whole test suite. The last line is
# always "N passed, N failed" computed from deno's own summary.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '[ci] %s\n' "$*" >&2; }
passed=0
failed=0
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

# --- Deno --------------------------------------------------------------------
deno_cache="${WARREN_DENO_HOME:-$HOME/.cache/warren-deno}"
find_deno() {
  command -v deno 2>/dev/null && return 0
  for candidate in node_modules/.bin/deno "$deno_cache/node_modules/.bin/deno"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}
DENO=$(find_deno) || {
  say "installing Deno from npm into $deno_cache"
  mkdir -p "$deno_cache"
  npm install --prefix "$deno_cache" --no-save --no-audit --no-fund deno@2 >&2 || true
  DENO=$(find_deno) || { say "could not install Deno"; failed=1; finish; }
}
DENO=$(cd "$(dirname "$DENO")" && pwd)/$(basename "$DENO")
export PATH="$(dirname "$DENO"):$PATH"
say "deno: $("$DENO" --version | head -1)"

# --- tmux, RabbitMQ and other AMQP clients (Debian) ----------------------------------------------
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
# Other AMQP clients the broker must serve: Python (pika, py-amqp, aio-pika) and C (librabbitmq).
/usr/bin/python3 -c "import pika" >/dev/null 2>&1 || missing+=(python3-pika)
/usr/bin/python3 -c "import amqp" >/dev/null 2>&1 || missing+=(python3-amqp)
/usr/bin/python3 -c "import aio_pika" >/dev/null 2>&1 || missing+=(python3-aio-pika)
command -v amqp-publish >/dev/null 2>&1 || missing+=(amqp-tools)
# RabbitMQ's spec file: the test that src/amqp/spec.ts is what scripts/gen_spec.ts makes of it.
[ -f /usr/share/amqp/specs/0-9-1-rabbit/amqp0-9-1.stripped.extended.xml ] || missing+=(amqp-specs)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >&2 || true
  if ! timeout 400 apt-get install -y -qq "${missing[@]}" >&2; then
    # One package this release lacks must not cost the others: try each on its own.
    for pkg in "${missing[@]}"; do
      timeout 300 apt-get install -y -qq "$pkg" >&2 || say "could not install $pkg; the tests that need it will skip"
    done
  fi
fi

amqp_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
mgmt_up() { (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null; }
if ! amqp_up && command -v rabbitmq-server >/dev/null 2>&1; then
  say "starting RabbitMQ with the management plugin"
  rabbitmq-plugins --offline enable rabbitmq_management >/dev/null 2>&1 || true
  (setsid rabbitmq-server >/tmp/warren-ci-rabbitmq.log 2>&1 &)
  for _ in $(seq 1 60); do amqp_up && mgmt_up && break; sleep 1; done
fi
if amqp_up; then
  export RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}"
  mgmt_up && export RABBITMQ_MGMT_URL="${RABBITMQ_MGMT_URL:-http://guest:guest@127.0.0.1:15672}"
  say "RabbitMQ is up: real-broker tests run against $RABBITMQ_URL"
else
  say "RabbitMQ is not running: real-broker tests will skip"
fi

# --- static checks -------------------------------------------------------------
for check in "fmt --check" "lint" "check main.ts src tests bench scripts"; do
  say "deno $check"
  # shellcheck disable=SC2086
  if "$DENO" $check >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); say "deno $check FAILED"; fi
done

# --- tests -----------------------------------------------------------------------
log=$(mktemp)
say "deno task test"
timeout 1500 "$DENO" task test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -1)
if [ -n "$summary" ]; then
  t_passed=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')
  t_failed=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')
  passed=$((passed + t_passed))
  failed=$((failed + t_failed))
fi
if [ "$status" -ne 0 ] && { [ -z "$summary" ] || [ "${t_failed:-0}" -eq 0 ]; }; then
  say "deno task test exited $status"
  failed=$((failed + 1))
fi
rm -f "$log"
finish
