#!/usr/bin/env bash
# Install what Tenantry needs on a fresh Debian 12 machine: system packages (when root),
# the virtualenv with the locked Python dependencies, and the project itself (editable).
# Safe to run again: it only does what is missing. Each slow step prints a line when it
# starts and one with its duration.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV=.venv

now_ms() { date +%s%3N; }
# step "what" command...: runs the command between a start line and a line with its duration.
step() {
  local what=$1 started
  shift
  echo "bootstrap: $what …"
  started=$(now_ms)
  if ! "$@"; then
    echo "bootstrap: $what: failed after $(((($(now_ms) - started)) / 1000)) s" >&2
    return 1
  fi
  local ms=$(($(now_ms) - started))
  printf 'bootstrap: %s: done in %d.%d s\n' "$what" $((ms / 1000)) $((ms % 1000 / 100))
}

# command → Debian package providing it
declare -A SYSTEM_PACKAGES=(
  [pg_ctlcluster]=postgresql
  [psql]=postgresql-client
  [redis-server]=redis-server
  [rabbitmq-server]=rabbitmq-server
  [mosquitto]=mosquitto
  [curl]=curl
  [chromium]=chromium # the portal's browser tests (playwright-core launches it; never `playwright install`)
)
missing=()
for cmd in "${!SYSTEM_PACKAGES[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${SYSTEM_PACKAGES[$cmd]}")
done
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    step "apt-get update" apt-get update -qq
    step "installing Debian packages: ${missing[*]}" apt_install "${missing[@]}"
  else
    echo "bootstrap: missing system packages; run as root: apt-get update && apt-get install ${missing[*]}" >&2
    echo "bootstrap: (without PostgreSQL's server an embedded one stands in, loudly; the others are required)" >&2
  fi
fi

if [[ ! -x $VENV/bin/python ]]; then
  step "creating $VENV with $("$PYTHON" --version)" "$PYTHON" -m venv "$VENV"
fi

pip_install_locked() {
  local output status=0
  output=$("$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/dev.txt 2>&1) || status=$?
  [[ -z $output ]] || grep -v "is ignored" <<<"$output" || true
  ((status == 0)) || return "$status"
  "$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; return 1; }
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e . >/dev/null 2>&1 \
    || "$VENV/bin/python" -m pip install --no-deps -e .
  "$VENV/bin/python" -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in
    ('tenantry_kernel', 'control_plane', 'tenant_app', 'tenant_operator')))"
}

# Reinstall only when the lock file or the package layout changed.
stamp="$VENV/.tenantry-installed"
want="$(cat requirements/dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  step "installing the locked Python dependencies into $VENV (minutes on a fresh machine)" pip_install_locked
  echo "$want" >"$stamp"
fi
