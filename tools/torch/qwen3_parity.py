#!/usr/bin/python3
"""Writes the PyTorch parity fixtures for the Llama-family engine (src/model/llama/parity.gpu.test.ts).

The math of HF transformers' Qwen3ForCausalLM / LlamaForCausalLM written out in plain PyTorch (no transformers
package): RMSNorm computed as x * rsqrt(mean(x^2) + eps) * w, rotary embeddings in the rotate-half layout with
inv_freq = 1 / theta^(arange(0, d, 2) / d) and cos/sin of cat(freqs, freqs), grouped-query attention (each
key/value head repeated for its group of query heads, scores scaled by head_dim^-0.5, causal mask, softmax),
Qwen3's per-head RMSNorm on q and k before RoPE, the SwiGLU MLP down(silu(gate(x)) * up(x)), pre-norm residual
blocks, a final norm and the lm_head (tied to embed_tokens or not). A random tiny model with non-trivial norm
gains, a batch of two sequences of different lengths, the mean next-token NLL over every real position, and
autograd's gradient of every parameter. Run with Debian's torch:

    /usr/bin/python3 tools/torch/qwen3_parity.py src/model/llama/fixtures
    npx prettier --write src/model/llama/fixtures/*/config.json   # the repo's JSON style

Writes two fixture folders, each with config.json (an HF config plus the test's `sequences`), model.safetensors
(the weights, HF names) and expected.safetensors (logits of every real position, the loss, `grad.<name>`):
  qwen3-gqa/    Qwen3: 4 query heads over 2 key/value heads, head_dim 8 != hidden 12 / 4, q/k norm, tied head.
  llama-untied/ Llama 2 style: no q/k norm, 3 heads over 1 key/value head, head_dim = hidden / heads, untied head.
"""
import json
import math
import os
import struct
import sys

import torch

SEQS = [[5, 17, 42, 3, 9, 30, 8], [12, 0, 33, 47]]

CONFIGS = {
    "qwen3-gqa": dict(
        model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=12, intermediate_size=20,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
        max_position_embeddings=32, vocab_size=48, rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None,
        hidden_act="silu", tie_word_embeddings=True, attention_bias=False, use_sliding_window=False,
        torch_dtype="float32",
    ),
    "llama-untied": dict(
        model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=12, intermediate_size=18,
        num_hidden_layers=2, num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=32,
        vocab_size=48, rms_norm_eps=1e-5, rope_theta=10000.0, rope_scaling=None, hidden_act="silu",
        tie_word_embeddings=False, attention_bias=False, torch_dtype="float32",
    ),
}


def dims(cfg):
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or cfg["hidden_size"] // nh
    return cfg["hidden_size"], nh, nkv, hd


def param_shapes(cfg):
    C, NH, NKV, HD = dims(cfg)
    I, V = cfg["intermediate_size"], cfg["vocab_size"]
    shapes = [("model.embed_tokens.weight", (V, C))]
    for l in range(cfg["num_hidden_layers"]):
        h = f"model.layers.{l}"
        shapes += [
            (f"{h}.self_attn.q_proj.weight", (NH * HD, C)),
            (f"{h}.self_attn.k_proj.weight", (NKV * HD, C)),
            (f"{h}.self_attn.v_proj.weight", (NKV * HD, C)),
            (f"{h}.self_attn.o_proj.weight", (C, NH * HD)),
        ]
        if cfg["model_type"] == "qwen3":
            shapes += [(f"{h}.self_attn.q_norm.weight", (HD,)), (f"{h}.self_attn.k_norm.weight", (HD,))]
        shapes += [
            (f"{h}.mlp.gate_proj.weight", (I, C)),
            (f"{h}.mlp.up_proj.weight", (I, C)),
            (f"{h}.mlp.down_proj.weight", (C, I)),
            (f"{h}.input_layernorm.weight", (C,)),
            (f"{h}.post_attention_layernorm.weight", (C,)),
        ]
    shapes.append(("model.norm.weight", (C,)))
    if not cfg["tie_word_embeddings"]:
        shapes.append(("lm_head.weight", (V, C)))
    return shapes


def init(name, shape):
    if name.endswith("norm.weight"):
        return 1.0 + 0.2 * torch.randn(shape)
    return 0.3 * torch.randn(shape)  # larger than HF's 0.02 so every path carries signal


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(T, HD, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, HD, 2, dtype=torch.int64).float() / HD))
    freqs = torch.arange(T).float()[:, None] * inv_freq[None, :]  # (T, HD/2), float32 like HF
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def forward(cfg, p, ids):
    """ids: (T,) one unpadded sequence -> logits (T, V). Padding never matters under a causal mask."""
    C, NH, NKV, HD = dims(cfg)
    eps, T = cfg["rms_norm_eps"], ids.shape[0]
    cos, sin = rope_cos_sin(T, HD, cfg["rope_theta"])
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = p["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        h = f"model.layers.{l}"
        n1 = rms_norm(x, p[f"{h}.input_layernorm.weight"], eps)
        q = (n1 @ p[f"{h}.self_attn.q_proj.weight"].T).view(T, NH, HD)
        k = (n1 @ p[f"{h}.self_attn.k_proj.weight"].T).view(T, NKV, HD)
        v = (n1 @ p[f"{h}.self_attn.v_proj.weight"].T).view(T, NKV, HD)
        if cfg["model_type"] == "qwen3":
            q = rms_norm(q, p[f"{h}.self_attn.q_norm.weight"], eps)
            k = rms_norm(k, p[f"{h}.self_attn.k_norm.weight"], eps)
        q, k, v = (t.transpose(0, 1) for t in (q, k, v))  # (heads, T, HD)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(NH // NKV, dim=0)  # kv head g serves query heads g*group .. (g+1)*group-1
        v = v.repeat_interleave(NH // NKV, dim=0)
        att = (q @ k.transpose(-1, -2)) * HD ** -0.5
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, NH * HD)
        x = x + y @ p[f"{h}.self_attn.o_proj.weight"].T
        n2 = rms_norm(x, p[f"{h}.post_attention_layernorm.weight"], eps)
        gate = n2 @ p[f"{h}.mlp.gate_proj.weight"].T
        up = n2 @ p[f"{h}.mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ p[f"{h}.mlp.down_proj.weight"].T
    x = rms_norm(x, p["model.norm.weight"], eps)
    head = p["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else p["lm_head.weight"]
    return x @ head.T


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


def write_fixture(out, cfg, seed):
    torch.manual_seed(seed)
    os.makedirs(out, exist_ok=True)
    params = {n: init(n, s).requires_grad_(True) for n, s in param_shapes(cfg)}
    nll, count, logits_out = 0.0, 0, {}
    for b, seq in enumerate(SEQS):
        ids = torch.tensor(seq)
        logits = forward(cfg, params, ids)
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
        json.dump({**cfg, "sequences": SEQS}, f, indent=2)
    print(f"{out}: loss {loss.item():.6f}")


def main(root):
    for i, (name, cfg) in enumerate(CONFIGS.items()):
        write_fixture(f"{root}/{name}", cfg, 1234 + i)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/model/llama/fixtures")
