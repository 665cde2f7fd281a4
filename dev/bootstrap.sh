#!/usr/bin/env bash
# Install what Tenantry needs on a fresh Debian 12 machine: system packages (when root),
# the virtualenv with the locked Python dependencies, and the project itself (editable).
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV=.venv

# command → Debian package providing it
declare -A SYSTEM_PACKAGES=(
  [pg_ctlcluster]=postgresql
  [psql]=postgresql-client
  [redis-server]=redis-server
  [rabbitmq-server]=rabbitmq-server
  [mosquitto]=mosquitto
  [curl]=curl
)
missing=()
for cmd in "${!SYSTEM_PACKAGES[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${SYSTEM_PACKAGES[$cmd]}")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing system packages; run as root: apt-get install ${missing[*]}" >&2
    echo "bootstrap: (PostgreSQL falls back to an embedded server; the others are required)" >&2
  fi
fi

if [[ ! -x $VENV/bin/python ]]; then
  echo "bootstrap: creating $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the lock file or the package layout changed.
stamp="$VENV/.tenantry-installed"
want="$(cat requirements/dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "bootstrap: installing locked Python dependencies"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/dev.txt 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; exit 1; }
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e . >/dev/null 2>&1 \
    || "$VENV/bin/python" -m pip install --no-deps -e .
  "$VENV/bin/python" -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in
    ('tenantry_kernel', 'control_plane', 'tenant_app', 'tenant_operator')))"
  echo "$want" >"$stamp"
fi
