"""The chat as a user meets it: startup to a usable prompt, then per question the time until the
evidence is on screen, the first streamed token and the verified answer, with the local model.

Drives the real app (Textual's `run_test`, headless) on a fresh sample store; the model loads
in the background as in `veille chat`. The first question is asked once the model is loaded.

    .venv/bin/python bench/chat_latency.py [--questions 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import SAMPLE_QUESTIONS, ingest_sample, median, pct, table, write

from assistant.local_model import ensure_model
from assistant.settings import Settings
from evals.questions import load_questions

ROOT = Path(__file__).resolve().parents[1]


async def run(questions: list[str]) -> dict:
    from textual.widgets import Input

    from tui.app import build_app
    from tui.screens.chat import ChatScreen

    data = Path(tempfile.mkdtemp()) / "data"
    ingest_sample(data)
    settings = Settings(data_dir=data)
    settings = settings.with_section(
        "generation", mode="local", local_model=ensure_model(ROOT / ".cache/models")
    )
    marks: dict[str, list[float]] = {"evidence": [], "token": [], "done": []}
    originals = {
        "evidence": ChatScreen.on_evidence_arrived,
        "token": ChatScreen.on_answer_streamed,
        "done": ChatScreen.on_answer_completed,
    }

    def spy(kind: str):
        def handler(screen, message):
            marks[kind].append(time.perf_counter())
            originals[kind](screen, message)

        return handler

    ChatScreen.on_evidence_arrived = spy("evidence")
    ChatScreen.on_answer_streamed = spy("token")
    ChatScreen.on_answer_completed = spy("done")
    started = time.perf_counter()
    app = build_app(settings)
    rows = []
    async with app.run_test(size=(140, 45)) as pilot:
        while not app.chat.prompt.has_focus:
            await pilot.pause(0.01)
        ready = time.perf_counter() - started
        while app.chat.status.activity != "" or app.chat.status.mode != "local":
            await pilot.pause(0.1)
        loaded = time.perf_counter() - started
        for q in questions:
            for v in marks.values():
                v.clear()
            app.chat.query_one("#prompt", Input).value = q
            asked = time.perf_counter()
            cpu = time.process_time()
            await pilot.press("enter")
            while not marks["done"]:
                await asyncio.sleep(0.05)  # not pilot.pause: it forces a repaint each time
            answer = app.chat.turns[-1]
            rows.append(
                {
                    "question": q,
                    "evidence_ms": (marks["evidence"][0] - asked) * 1000,
                    "first_token_ms": (marks["token"][0] - asked) * 1000
                    if marks["token"]
                    else None,
                    "total_ms": (marks["done"][0] - asked) * 1000,
                    # CPU this process (UI, retrieval, polling) used meanwhile: the model's
                    # prefill shares the same cores.
                    "app_cpu_s": time.process_time() - cpu,
                    "refused": answer.refused,
                    "prompt_tokens": answer.prompt_tokens,
                    "standalone": answer.standalone_question,
                    "answer": answer.text,
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return {"startup_to_prompt_ms": ready * 1000, "model_ready_s": loaded, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=6)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(SAMPLE_QUESTIONS)][: args.questions]
    result = asyncio.run(run(questions))
    rows = result["rows"]

    def stat(key: str) -> list[float]:
        values = [r[key] for r in rows if r[key] is not None]
        return [median(values), pct(values, 0.95)]

    result["evidence_ms_p50_p95"] = stat("evidence_ms")
    result["first_token_ms_p50_p95"] = stat("first_token_ms")
    result["total_ms_p50_p95"] = stat("total_ms")
    print(
        table(
            ["", "p50 ms", "p95 ms"],
            [
                ["evidence on screen", *result["evidence_ms_p50_p95"]],
                ["first token on screen", *result["first_token_ms_p50_p95"]],
                ["verified answer", *result["total_ms_p50_p95"]],
            ],
        )
    )
    print(f"startup to a usable prompt: {result['startup_to_prompt_ms']:.0f} ms; ", end="")
    print(f"model ready after {result['model_ready_s']:.1f} s")
    print("wrote", write("chat_latency", result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
