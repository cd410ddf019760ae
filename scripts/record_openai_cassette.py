"""Record the HTTP exchange that tests/integration/test_openai_recorded.py replays.

No key for the OpenAI API exists on the machines this project is built on, so the exchange is
recorded from the bundled model served by llama.cpp, which speaks the same chat-completions
protocol (streamed server-sent events, usage chunk last); the host and model name are then
rewritten to OpenAI's, so the replay exercises exactly the `openai` mode's code path: default
base URL, key from settings, streaming parse, verification. The Authorization header is never
written. Run it again after changing the prompts:

    .venv/bin/python scripts/record_openai_cassette.py [DATA_DIR]

DATA_DIR holds an ingested sample store (default: a temporary one is built).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import vcr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer import Assistant
from assistant.local_model import LocalLLMServer, ensure_model
from assistant.settings import Settings
from ingest.sync import SAMPLE_CORPUS, ingest_paths

CASSETTE = ROOT / "tests/integration/cassettes/openai_hema.yaml"
QUESTIONS = (
    "Combien de références sont cataloguées dans l'application Hema ?",
    "How many references are catalogued in the Hema app?",
)
OPENAI_MODEL = "gpt-4o-mini"


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "data"
    settings = Settings(data_dir=data)
    if not (data / "chroma").exists():
        ingest_paths([SAMPLE_CORPUS], settings=settings)
    model = ensure_model(ROOT / ".cache/models")
    with LocalLLMServer(model) as server:
        base = server.start()
        served = settings.with_section("generation", mode="server", base_url=base, model="local")
        recorder = vcr.VCR(filter_headers=["authorization"], record_mode="all")
        CASSETTE.unlink(missing_ok=True)
        with recorder.use_cassette(str(CASSETTE)):
            assistant = Assistant(served)
            for question in QUESTIONS:
                answer = assistant.ask(question)
                print(question, "->", answer.text, [c.source for c in answer.citations])
    host = re.escape(base.removesuffix("/v1"))
    text = CASSETTE.read_text(encoding="utf-8")
    text = re.sub(host, "https://api.openai.com", text)
    text = re.sub(
        re.escape(base.removesuffix("/v1").removeprefix("http://")), "api.openai.com", text
    )
    text = re.sub(r'"model": ?"[^"]*"', f'"model":"{OPENAI_MODEL}"', text)
    text = re.sub(r'\\"model\\": ?\\"[^"\\]*\\"', f'\\"model\\":\\"{OPENAI_MODEL}\\"', text)
    CASSETTE.write_text(text, encoding="utf-8")
    print(f"wrote {CASSETTE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
