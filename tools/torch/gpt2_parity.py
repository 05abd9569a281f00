#!/usr/bin/python3
"""Writes the PyTorch parity fixture for the GPT-2 engine (src/model/gpt2/parity.gpu.test.ts).

GPT-2's math written out in plain PyTorch (no transformers package): a random tiny model with non-trivial
LayerNorm gains and biases, a padded batch of two sequences of different lengths, the mean next-token NLL over
every real position, and autograd's gradient of every parameter. Run with Debian's torch:

    apt-get install -y python3-torch python3-numpy
    /usr/bin/python3 tools/torch/gpt2_parity.py src/model/gpt2/fixtures/parity

Outputs: config.json, model.safetensors (the weights, HF names) and expected.safetensors (logits of every real
position, the loss, and `grad.<name>` for every parameter). Tests read these; they never need PyTorch.
"""
import json
import math
import os
import struct
import sys

import torch

torch.manual_seed(1234)
CFG = dict(n_layer=2, n_head=2, n_embd=16, n_positions=32, vocab_size=64, layer_norm_epsilon=1e-5)
L, NH, C, P, V = CFG["n_layer"], CFG["n_head"], CFG["n_embd"], CFG["n_positions"], CFG["vocab_size"]
SEQS = [[5, 17, 42, 3, 9, 61, 8], [12, 0, 33, 47]]


def param_shapes():
    shapes = [("wte.weight", (V, C)), ("wpe.weight", (P, C))]
    for l in range(L):
        h = f"h.{l}"
        shapes += [
            (f"{h}.ln_1.weight", (C,)), (f"{h}.ln_1.bias", (C,)),
            (f"{h}.attn.c_attn.weight", (C, 3 * C)), (f"{h}.attn.c_attn.bias", (3 * C,)),
            (f"{h}.attn.c_proj.weight", (C, C)), (f"{h}.attn.c_proj.bias", (C,)),
            (f"{h}.ln_2.weight", (C,)), (f"{h}.ln_2.bias", (C,)),
            (f"{h}.mlp.c_fc.weight", (C, 4 * C)), (f"{h}.mlp.c_fc.bias", (4 * C,)),
            (f"{h}.mlp.c_proj.weight", (4 * C, C)), (f"{h}.mlp.c_proj.bias", (C,)),
        ]
    return shapes + [("ln_f.weight", (C,)), ("ln_f.bias", (C,))]


def init(name, shape):
    if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
        return 1.0 + 0.1 * torch.randn(shape)
    if len(shape) == 1:
        return 0.05 * torch.randn(shape)
    return 0.2 * torch.randn(shape)  # larger than GPT-2's 0.02 so every path carries signal


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def forward(p, ids):
    """ids: (T,) one unpadded sequence -> logits (T, V). Padding never matters under a causal mask."""
    T = ids.shape[0]
    x = p["wte.weight"][ids] + p["wpe.weight"][:T]
    ln = lambda z, n: torch.nn.functional.layer_norm(z, (C,), p[n + ".weight"], p[n + ".bias"], CFG["layer_norm_epsilon"])
    hs = C // NH
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(L):
        h = f"h.{l}"
        qkv = ln(x, f"{h}.ln_1") @ p[f"{h}.attn.c_attn.weight"] + p[f"{h}.attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=-1)
        q, k, v = (t.view(T, NH, hs).transpose(0, 1) for t in (q, k, v))  # (NH, T, hs)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ p[f"{h}.attn.c_proj.weight"] + p[f"{h}.attn.c_proj.bias"]
        m = gelu_tanh(ln(x, f"{h}.ln_2") @ p[f"{h}.mlp.c_fc.weight"] + p[f"{h}.mlp.c_fc.bias"])
        x = x + m @ p[f"{h}.mlp.c_proj.weight"] + p[f"{h}.mlp.c_proj.bias"]
    return ln(x, "ln_f") @ p["wte.weight"].T  # tied lm_head


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def main(out):
    os.makedirs(out, exist_ok=True)
    params = {n: init(n, s).requires_grad_(True) for n, s in param_shapes()}
    nll, count, logits_out = 0.0, 0, {}
    for b, seq in enumerate(SEQS):
        ids = torch.tensor(seq)
        logits = forward(params, ids)
        logits_out[f"logits.{b}"] = logits
        logp = logits[:-1].log_softmax(-1)
        nll = nll + (-logp.gather(1, ids[1:, None]).sum())
        count += len(seq) - 1
    loss = nll / count  # mean over every real position that has a next token
    loss.backward()
    write_safetensors(f"{out}/model.safetensors", params)
    expected = {**logits_out, "loss": loss.reshape(1)}
    expected.update({f"grad.{n}": t.grad for n, t in params.items()})
    write_safetensors(f"{out}/expected.safetensors", expected)
    with open(f"{out}/config.json", "w") as f:
        json.dump({"model_type": "gpt2", **CFG, "sequences": SEQS}, f, indent=2)
    print(f"loss {loss.item():.6f}; wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/model/gpt2/fixtures/parity")
