#!/usr/bin/python3
"""Plain torch products against tools/torch/onednn.py on this CPU; writes bench/results/torch-cpu-matmul.json.

    /usr/bin/python3 tools/torch/bench_matmul.py [--threads 2] [--out bench/results/torch-cpu-matmul.json]

Rows: GFLOP/s of x @ W at the fact-world's shapes (2,048 rows = one batch of 32 x 64 tokens), of the attention's
batched products, and the seconds of one training step (forward, backward, AdamW) of a 6 x 128 fact-world
GPT-2 with a 6,144-token head, each way. Run it on an idle machine: the numbers are medians of a few runs.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onednn  # noqa: E402
import train_fact_world as tfw  # noqa: E402


def median_seconds(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def both(fn, repeats):
    """(plain, oneDNN) median seconds of fn()."""
    out = []
    for plain in (True, False):
        onednn.PLAIN = plain
        out.append(median_seconds(fn, repeats))
    onednn.PLAIN = False
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="bench/results/torch-cpu-matmul.json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows = []
    for m, k, n in [(2048, 128, 384), (2048, 128, 512), (2048, 512, 128), (2048, 128, 6144)]:
        x, w = torch.randn(m, k), torch.randn(k, n)
        plain, dnn = both(lambda: onednn.linear(x, w), 10)
        flop = 2 * m * k * n
        rows.append({"op": f"linear {m}x{k} @ {k}x{n}", "plain_gflops": flop / plain / 1e9,
                     "onednn_gflops": flop / dnn / 1e9})
    q, kt = torch.randn(128, 64, 32, requires_grad=True), torch.randn(128, 32, 64, requires_grad=True)
    plain, dnn = both(lambda: onednn.bmm(q, kt).sum().backward(), 10)
    rows.append({"op": "bmm 128 x (64x32 @ 32x64), forward + backward", "plain_ms": plain * 1e3, "onednn_ms": dnn * 1e3})
    model = tfw.GPT2(6, 4, 128, 64, 6144, 0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    ids = torch.randint(0, 6144, (32, 64))
    r, c = torch.arange(32).repeat_interleave(64), torch.arange(64).repeat(32)
    targets = torch.randint(0, 6144, (r.numel(),))

    def step():
        loss = F.cross_entropy(model.logits_at(ids, r, c), targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    plain, dnn = both(step, 3)
    rows.append({"op": "training step, 6 x 128 GPT-2, vocab 6144, 32 x 64 tokens (loss at every position)",
                 "plain_s": plain, "onednn_s": dnn, "speedup": plain / dnn})
    result = {
        "what": "tools/torch/bench_matmul.py: plain torch products (Debian python3-torch, BLAS_INFO=generic) "
                "against the same products as 1x1 convolutions through oneDNN (tools/torch/onednn.py)",
        "torch": torch.__version__, "threads": a.threads, "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0], "rows": rows,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
