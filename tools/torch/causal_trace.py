#!/usr/bin/python3
"""ROME's causal trace of a fact-world checkpoint in plain PyTorch: a pilot's quick check of where a model recalls.

Same analysis as the engine's `npx editscope trace` (src/editors/causal-trace.ts): Gaussian noise (--noise x the
std of the subject tokens' embeddings) on the subject's token embeddings, then one state restored from the clean
run per (block, token): the residual after the block, the block's attention output or its MLP output; indirect
effect = p(answer | corrupted, restored) - p(answer | corrupted) of the answer's first token, averaged per
position kind (ROME's Figure 1 grouping) over facts the model knows (clean argmax = answer). Runs in seconds on a
CPU, so a training run can be checked while it trains; the engine's trace is the one the model card shows.

    node --import ./bin/register.mjs tools/fact-world-v2/trace-prompts.ts --facts data/fact-world-v2/facts.json \
        --tokenizer public/models/fact-world-v2/tokenizer.json --n 400 --out /tmp/tp.json
    /usr/bin/python3 tools/torch/causal_trace.py --model public/models/fact-world-v2 --prompts /tmp/tp.json --n 40
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onednn import bmm, linear  # noqa: E402  (a sibling file, not a package)

KINDS = ("block", "mlp", "attn")
POS = ("subject_first", "subject_middle", "subject_last", "first_after", "further", "last")


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    w = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        w[k] = torch.frombuffer(bytearray(raw[8 + n + a : 8 + n + b]), dtype=torch.float32).view(v["shape"])
    return cfg, w


def forward(cfg, w, ids, noise=None, subj=None, restore=None):
    """ids (B, T). noise (B, S, C) added at positions subj. restore: per kind a list of (layer, rows, pos, values).
    Returns last-position probabilities and the per-layer residual / attention / MLP outputs."""
    B, T = ids.shape
    C, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    hs = C // H
    x = w["wte.weight"][ids] + w["wpe.weight"][:T]
    if noise is not None:
        x[:, subj] += noise
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    ln = lambda z, p: F.layer_norm(z, (C,), w[p + ".weight"], w[p + ".bias"], 1e-5)
    rec = {"block": [], "mlp": [], "attn": []}

    def put(kind, l, t):
        for (rl, rows, pos, vals) in (restore or {}).get(kind, []):
            if rl == l:
                t[rows, pos] = vals
        return t

    for l in range(L):
        h = f"h.{l}"
        qkv = linear(ln(x, f"{h}.ln_1"), w[f"{h}.attn.c_attn.weight"], w[f"{h}.attn.c_attn.bias"])
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in qkv.split(C, dim=-1))
        att = (bmm(q, k.transpose(-1, -2)) / math.sqrt(hs)).masked_fill(~mask, float("-inf")).softmax(-1)
        a = linear(bmm(att, v).transpose(1, 2).reshape(B, T, C), w[f"{h}.attn.c_proj.weight"], w[f"{h}.attn.c_proj.bias"])
        a = put("attn", l, a)
        x = x + a
        m = F.gelu(linear(ln(x, f"{h}.ln_2"), w[f"{h}.mlp.c_fc.weight"], w[f"{h}.mlp.c_fc.bias"]), approximate="tanh")
        m = linear(m, w[f"{h}.mlp.c_proj.weight"], w[f"{h}.mlp.c_proj.bias"])
        m = put("mlp", l, m)
        x = put("block", l, x + m)
        rec["attn"].append(a)
        rec["mlp"].append(m)
        rec["block"].append(x)
    logits = linear(ln(x, "ln_f")[:, -1], w["wte.weight"].T)
    return logits.softmax(-1), rec


def pos_kind(t, s0, s1, T):
    if t == T - 1:
        return "last"
    if t == s1:
        return "subject_last"
    if t == s0:
        return "subject_first"
    if s0 < t < s1:
        return "subject_middle"
    return "first_after" if t == s1 + 1 else "further"


def trace_one(cfg, w, item, std, samples, gen):
    ids = torch.tensor([item["tokens"]])
    s0, s1 = item["span"]
    subj = list(range(s0, s1 + 1))
    T, C, L = ids.shape[1], cfg["n_embd"], cfg["n_layer"]
    ans = item["answer"]
    with torch.no_grad():
        p, clean = forward(cfg, w, ids)
        if int(p[0].argmax()) != ans:
            return None
        p_clean = float(p[0, ans])
        jobs = [(kind, l, t) for kind in KINDS for l in range(L) for t in range(s0, T)]
        eff = {k: [[0.0] * T for _ in range(L)] for k in KINDS}
        p_bad = 0.0
        for _ in range(samples):
            noise = torch.randn(1, len(subj), C, generator=gen) * std
            pb, _ = forward(cfg, w, ids, noise, subj)
            p_bad += float(pb[0, ans]) / samples
            n = len(jobs)
            restore = {k: [] for k in KINDS}
            for r, (kind, l, t) in enumerate(jobs):
                restore[kind].append((l, [r], [t], clean[kind][l][0, t]))
            pr, _ = forward(cfg, w, ids.expand(n, T).clone(), noise.expand(n, -1, -1), subj, restore)
            for r, (kind, l, t) in enumerate(jobs):
                eff[kind][l][t] += float(pr[r, ans]) / samples
    return {"span": [s0, s1], "T": T, "p_clean": p_clean, "p_corrupt": p_bad, "restored": eff,
            "subjectFirst": item.get("subjectFirst")}


def summarize(traces, L):
    out = {}
    for kind in KINDS:
        out[kind] = {}
        for pk in POS:
            acc, facts = [0.0] * L, 0
            for tr in traces:
                s0, s1 = tr["span"]
                ts = [t for t in range(s0, tr["T"]) if pos_kind(t, s0, s1, tr["T"]) == pk]
                if not ts:
                    continue
                facts += 1
                for l in range(L):
                    acc[l] += sum(tr["restored"][kind][l][t] - tr["p_corrupt"] for t in ts) / len(ts)
            out[kind][pk] = {"effect": [a / max(facts, 1) for a in acc], "facts": facts}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--n", type=int, default=40, help="known facts to trace")
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--noise", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg, w = load(a.model)
    items = json.load(open(a.prompts))["items"]
    subj_ids = torch.tensor([t for it in items for t in it["tokens"][it["span"][0] : it["span"][1] + 1]])
    std = a.noise * float(w["wte.weight"][subj_ids].std())
    gen = torch.Generator().manual_seed(a.seed)
    traces, tried = [], 0
    for it in items:
        if len(traces) == a.n:
            break
        tried += 1
        tr = trace_one(cfg, w, it, std, a.samples, gen)
        if tr:
            traces.append(tr)
    L = cfg["n_layer"]
    s = summarize(traces, L)
    pc = sum(t["p_clean"] for t in traces) / max(1, len(traces))
    pb = sum(t["p_corrupt"] for t in traces) / max(1, len(traces))
    print(f"{len(traces)} known of {tried} tried; p clean {pc:.3f}, corrupted {pb:.3f}")
    for kind in KINDS:
        print(f"{kind:5s} restored   " + " ".join(f"{l:6d}" for l in range(L)))
        for pk in POS:
            row = s[kind][pk]
            if row["facts"]:
                print(f"  {pk:15s}({row['facts']:3d}) " + " ".join(f"{e:6.3f}" for e in row["effect"]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"facts": len(traces), "tried": tried, "pClean": pc, "pCorrupt": pb, "summary": s,
                       "bySubjectPlacement": {
                           "subjectFirst": summarize([t for t in traces if t["subjectFirst"]], L),
                           "subjectLater": summarize([t for t in traces if not t["subjectFirst"]], L)}}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
