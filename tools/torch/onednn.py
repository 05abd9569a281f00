"""Matrix products through oneDNN on the CPU.

Debian's python3-torch 1.13 links the generic reference BLAS (`torch.__config__.show()`: BLAS_INFO=generic), so
plain matmul runs at 4-6 GFLOP/s on our 2-core machines. The same products written as 1x1 convolutions (grouped,
for batches) go through oneDNN (MKL-DNN, built into that torch), backward included: 12-27 GFLOP/s for the
fact-world's linears with the transposes they need, the attention's batched products 8.8x faster, one training
step 4.1x faster (bench/results/torch-cpu-matmul.json, from tools/torch/bench_matmul.py on an idle machine). On
CUDA, or with EDITSCOPE_PLAIN_MATMUL=1, these are the plain products.
"""

import os

import torch.nn.functional as F

PLAIN = os.environ.get("EDITSCOPE_PLAIN_MATMUL") == "1"
# A dilation changes nothing for a kernel of width 1, but it makes torch pick oneDNN on one thread too: for 1x1
# kernels it otherwise falls back to its slow THNN convolution unless more than one thread is set.
ONEDNN = 2


def linear(x, w, b=None):
    """x (..., K) @ w (K, N) + b (N), w in GPT-2's Conv1D layout (in x out)."""
    if PLAIN or x.device.type != "cpu":
        y = x @ w
        return y if b is None else y + b
    lead, k = x.shape[:-1], x.shape[-1]
    # One "signal" of M positions: input (1, K, M), weight (N, K, 1), output (1, N, M).
    y = F.conv1d(x.reshape(1, -1, k).transpose(1, 2), w.t().unsqueeze(-1), b, dilation=ONEDNN)
    return y.transpose(1, 2).reshape(*lead, w.shape[1])


def bmm(a, b):
    """a (..., M, K) @ b (..., K, N) over the leading dims, as a grouped 1x1 convolution (a group per matrix)."""
    if PLAIN or a.device.type != "cpu":
        return a @ b
    lead, (m, k), n = a.shape[:-2], a.shape[-2:], b.shape[-1]
    a3, b3 = a.reshape(-1, m, k), b.reshape(-1, k, n)
    g = a3.shape[0]
    y = F.conv1d(a3.transpose(1, 2).reshape(1, g * k, m), b3.transpose(1, 2).reshape(g * n, k, 1), groups=g,
                 dilation=ONEDNN)
    return y.view(g, n, m).transpose(1, 2).reshape(*lead, m, n)
