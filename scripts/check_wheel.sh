#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh venv, and check the installed app
# migrates, loads the demo and serves its login page (in English and German), templates and
# static files.
set -euo pipefail
python=${1:-python3}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=
"$python" -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$work"/dist/*.whl
cd "$work"  # away from the checkout, so only the installed package can be found
export QUARTERHOUR_ENV=development QUARTERHOUR_INSTANCE_PATH="$work/instance"
"$work/venv/bin/quarterhour" db upgrade
# Output is captured before grep reads it: `grep -q` quits at the first match, and under pipefail
# the writer's broken pipe would fail the check at random.
expect() {  # expect TEXT COMMAND…: COMMAND succeeds and prints TEXT
  local want=$1 out
  shift
  out=$("$@") && grep -qF -- "$want" <<<"$out" || { echo "wheel check: '$*' lacks '$want'" >&2; exit 1; }
}
expect "engineer" "$work/venv/bin/quarterhour" demo
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/venv/bin/quarterhour" run --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
expect 'name="csrf_token"' curl -fs "http://127.0.0.1:$port/login"
expect "Anmelden" curl -fs -H "Accept-Language: de" "http://127.0.0.1:$port/login"
expect "qh-header" curl -fs "http://127.0.0.1:$port/static/quarterhour/quarterhour.css"
expect '"openapi"' curl -fs "http://127.0.0.1:$port/api/v1/openapi.json"
expect "<svg" curl -fs "http://127.0.0.1:$port/static/quarterhour/favicon.svg"
expect "Content-Security-Policy" curl -fsI "http://127.0.0.1:$port/login"
"$work/venv/bin/python" - <<'PY'
from pathlib import Path
import plugin
root = Path(plugin.__file__).parent
for name in ("plugin.toml", "templates/quarterhour/base.html", "static/quarterhour/quarterhour.css",
             "migrations/env.py", "migrations/versions",
             "translations/de/LC_MESSAGES/messages.mo"):
    assert (root / name).exists(), f"{name} is missing from the wheel"
assert "site-packages" in str(root), root
PY
echo "wheel check: ok ($(ls "$work"/dist))"
