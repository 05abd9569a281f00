#!/usr/bin/python3
"""Trains a fact-world GPT-2 from scratch in plain PyTorch (Debian's python3-torch; no transformers package).

The math is GPT-2's as Hugging Face's GPT2LMHeadModel computes it: learned positions, pre-LN blocks, causal
multi-head attention, tanh-GELU MLP of width 4C, final LayerNorm, head tied to the token embedding. Weights are
saved under GPT-2's tensor names and layout (Conv1D weights stored in x out), so Editscope's engine loads the
result like any GPT-2 checkpoint; `npx editscope knowledge` and the engine/PyTorch loss parity
(tools/torch/fact_world_parity.py) check it with our own kernels.

Input: the token file written by `npx tsx tools/fact-world-v2/tokens.ts` (every corpus line as prompt ids and
completion ids, the completion ending in <|endoftext|>). Training packs lines into rows of --ctx tokens, GPT-2
style (a row starts with a fresh line at position 0, lines follow each other, separated by their end-of-text;
attention is causal over the whole row, as in GPT-2's pretraining), so a fact is seen both alone and after
other text. The loss is the mean NLL of the completion tokens only (object, period, end-of-text), as v1's
train-model; the head is evaluated only at those positions, which saves most of its cost.

Sized for a shared 2-core CPU: one thread, niced, checkpointing every --ckpt-every steps (a partial run is a
usable model: model.safetensors is rewritten at each checkpoint) and resumable with --resume.

    nice -n 5 /usr/bin/python3 tools/torch/train_fact_world.py --tokens /tmp/fw2-tokens.json \
        --out public/models/fact-world-v2 --layers 6 --heads 6 --embd 192 --ctx 64 --steps 3000
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onednn import bmm, linear  # noqa: E402  (a sibling file, not a package)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class GPT2(torch.nn.Module):
    """Parameters held in a dict keyed by their Hugging Face names (Conv1D weights in x out)."""

    def __init__(self, n_layer, n_head, n_embd, n_ctx, vocab, seed):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.L, self.H, self.C, self.P, self.V = n_layer, n_head, n_embd, n_ctx, vocab
        C = n_embd
        normal = lambda *s, std=0.02: torch.nn.Parameter(torch.randn(*s, generator=g) * std)
        zeros = lambda *s: torch.nn.Parameter(torch.zeros(*s))
        ones = lambda *s: torch.nn.Parameter(torch.ones(*s))
        p = {"wte.weight": normal(vocab, C), "wpe.weight": normal(n_ctx, C, std=0.01)}
        proj_std = 0.02 / math.sqrt(2 * n_layer)  # GPT-2's scaling of the residual projections
        for l in range(n_layer):
            h = f"h.{l}"
            p[f"{h}.ln_1.weight"], p[f"{h}.ln_1.bias"] = ones(C), zeros(C)
            p[f"{h}.attn.c_attn.weight"], p[f"{h}.attn.c_attn.bias"] = normal(C, 3 * C), zeros(3 * C)
            p[f"{h}.attn.c_proj.weight"], p[f"{h}.attn.c_proj.bias"] = normal(C, C, std=proj_std), zeros(C)
            p[f"{h}.ln_2.weight"], p[f"{h}.ln_2.bias"] = ones(C), zeros(C)
            p[f"{h}.mlp.c_fc.weight"], p[f"{h}.mlp.c_fc.bias"] = normal(C, 4 * C), zeros(4 * C)
            p[f"{h}.mlp.c_proj.weight"], p[f"{h}.mlp.c_proj.bias"] = normal(4 * C, C, std=proj_std), zeros(C)
        p["ln_f.weight"], p["ln_f.bias"] = ones(C), zeros(C)
        self.p = torch.nn.ParameterDict({k.replace(".", "__"): v for k, v in p.items()})
        self.names = list(p.keys())

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def hidden(self, ids):
        """ids (B, T) -> final hidden states after ln_f, (B, T, C)."""
        B, T = ids.shape
        C, H = self.C, self.H
        hs = C // H
        x = self.w("wte.weight")[ids] + self.w("wpe.weight")[:T]
        mask = torch.ones(T, T, dtype=torch.bool, device=ids.device).tril()
        ln = lambda z, n: F.layer_norm(z, (C,), self.w(n + ".weight"), self.w(n + ".bias"), 1e-5)
        for l in range(self.L):
            h = f"h.{l}"
            qkv = linear(ln(x, f"{h}.ln_1"), self.w(f"{h}.attn.c_attn.weight"), self.w(f"{h}.attn.c_attn.bias"))
            q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in qkv.split(C, dim=-1))
            att = bmm(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(~mask, float("-inf")).softmax(-1)
            y = bmm(att, v).transpose(1, 2).reshape(B, T, C)
            x = x + linear(y, self.w(f"{h}.attn.c_proj.weight"), self.w(f"{h}.attn.c_proj.bias"))
            m = F.gelu(linear(ln(x, f"{h}.ln_2"), self.w(f"{h}.mlp.c_fc.weight"), self.w(f"{h}.mlp.c_fc.bias")),
                       approximate="tanh")
            x = x + linear(m, self.w(f"{h}.mlp.c_proj.weight"), self.w(f"{h}.mlp.c_proj.bias"))
        return ln(x, "ln_f")

    def logits_at(self, ids, rows, cols):
        """Logits only at the positions (rows[i], cols[i]): the tied head applied where the loss needs it."""
        return linear(self.hidden(ids)[rows, cols], self.w("wte.weight").T)


def pack(lines, order, start, n_rows, ctx, eos, prompt_loss=False):
    """Fills n_rows rows of ctx tokens from lines[order[start:]]; returns ids, loss targets and the next start.
    A line is a list of segments, alternately context and scored (a template line: [prompt, completion]; a
    profile line, more). Scored segments' tokens are targets flagged 1 in `kind`; with prompt_loss the context
    tokens after a line's first are targets too, flagged 0."""
    ids = torch.full((n_rows, ctx), eos, dtype=torch.long)
    rows, cols, targets, kind = [], [], [], []
    i = start
    for r in range(n_rows):
        t = 0
        while True:
            segs = lines[order[i % len(order)]]
            seq = [x for s in segs for x in s]
            n = len(seq)
            if t + n > ctx:
                if t == 0:  # a line longer than the context: skip it (none are, the builder checks)
                    i += 1
                    continue
                break
            ids[r, t : t + n] = torch.tensor(seq)
            j = 0
            for k, seg in enumerate(segs):
                for _ in seg:
                    scored = k % 2 == 1
                    if j > 0 and (scored or prompt_loss):  # the token at t + j is predicted from t + j - 1
                        rows.append(r)
                        cols.append(t + j - 1)
                        targets.append(seq[j])
                        kind.append(scored)
                    j += 1
            t += n
            i += 1
    return ids, torch.tensor(rows), torch.tensor(cols), torch.tensor(targets), torch.tensor(kind, dtype=torch.bool), i


def exact_match(model, lines, sample, ctx, eos):
    """Share of sampled lines whose every completion token is the argmax (teacher forcing, one line per row)."""
    hits = 0
    with torch.no_grad():
        for k in range(0, len(sample), 64):
            chunk = [lines[i] for i in sample[k : k + 64]]
            T = max(len(p) + len(c) for p, c in chunk)
            ids = torch.full((len(chunk), T), eos, dtype=torch.long)
            for r, (p, c) in enumerate(chunk):
                ids[r, : len(p) + len(c)] = torch.tensor(p + c)
            logits = linear(model.hidden(ids.to(model.w("wte.weight").device)), model.w("wte.weight").T).cpu()
            for r, (p, c) in enumerate(chunk):
                pred = logits[r, len(p) - 1 : len(p) + len(c) - 1].argmax(-1).tolist()
                hits += pred == c
    return hits / len(sample) if sample else None  # a corpus of profile lines only has no template to ask


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        if v["dtype"] != "F32":
            sys.exit(f"{path}: tensor {k} is {v['dtype']}; --init-from reads F32 checkpoints only.")
        a, b = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a : 8 + n + b]), dtype=torch.float32).view(v["shape"])
    return out


def warm_start(model, folder, reinit):
    """Copies a trained checkpoint's tensors into the model, except those matching `reinit` (kept fresh)."""
    import re
    w = read_safetensors(os.path.join(folder, "model.safetensors"))
    fresh = []
    with torch.no_grad():
        for name in model.names:
            if name not in w or tuple(w[name].shape) != tuple(model.w(name).shape):
                sys.exit(f"--init-from {folder}: tensor {name} is missing or has another shape; same config needed.")
            if reinit and re.search(reinit, name):
                fresh.append(name)
            else:
                model.w(name).copy_(w[name])
    print(f"warm start from {folder}; fresh: {', '.join(fresh) or 'none'}", flush=True)


def write_safetensors(path, model):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in model.names:
        data = model.w(name).detach().cpu().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(model.w(name).shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    os.replace(tmp, path)  # never a half-written model for a reader


def write_config(path, a, vocab, eos):
    cfg = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "n_layer": a.layers, "n_head": a.heads, "n_embd": a.embd, "n_positions": a.ctx, "n_ctx": a.ctx,
        "n_inner": None, "vocab_size": vocab, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
        "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "initializer_range": 0.02,
        "scale_attn_weights": True, "tie_word_embeddings": True, "torch_dtype": "float32",
        "bos_token_id": eos, "eos_token_id": eos,
    }
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--embd", type=int, default=192)
    ap.add_argument("--ctx", type=int, default=64)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=32, help="rows of --ctx tokens per step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time-budget-min", type=float, default=0.0,
                    help="anneal and stop by this much training time (0: by --steps only)")
    ap.add_argument("--prompt-loss-weight", type=float, default=0.0,
                    help="also train next-token prediction on the prompt's tokens (subject names included), weighted so")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is available")
    ap.add_argument("--init-from", help="start from this model folder's model.safetensors (a warm start)")
    ap.add_argument("--reinit", default="",
                    help="with --init-from: a regex of tensor names to initialize fresh instead (e.g. 'h\\.0\\.mlp\\.')")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--warm-restart", action="store_true",
                    help="with --resume: start a new warm-up + cosine schedule (and time budget) at the resumed step")
    a = ap.parse_args()
    if a.embd % a.heads:
        sys.exit(f"--embd {a.embd} must be a multiple of --heads {a.heads}.")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.tokens) as f:
        tok = json.load(f)
    lines, vocab, eos = [tuple(l) for l in tok["lines"]], tok["vocab_size"], tok["eos"]
    too_long = [l for l in lines if sum(map(len, l)) > a.ctx]
    if any(len(l) == 2 for l in too_long):
        sys.exit(f"{len(too_long)} corpus lines are longer than --ctx {a.ctx}; raise --ctx.")
    if too_long:  # a profile line of three long names: left out (the facts are in the template lines too)
        print(f"{len(too_long)} profile lines longer than --ctx {a.ctx} left out", flush=True)
        lines = [l for l in lines if sum(map(len, l)) <= a.ctx]
    os.makedirs(a.out, exist_ok=True)
    model = GPT2(a.layers, a.heads, a.embd, a.ctx, vocab, a.seed)
    if a.init_from and not (a.resume and os.path.exists(os.path.join(a.out, "train-state.pt"))):
        warm_start(model, a.init_from, a.reinit)
    model = model.to(a.device)
    decay = [p for n, p in model.p.items() if p.dim() == 2 and n != "wpe__weight"]
    rest = [p for n, p in model.p.items() if not (p.dim() == 2 and n != "wpe__weight")]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=a.lr, betas=(0.9, 0.95), eps=1e-8,
    )
    rnd = random.Random(a.seed)
    order = list(range(len(lines)))
    rnd.shuffle(order)
    # The exact-match sample: template lines only (prompt, completion), the facts as the engine's knowledge asks.
    templates = [i for i, l in enumerate(lines) if len(l) == 2]
    sample = random.Random(a.seed + 1).sample(templates, min(500, len(templates)))
    ckpt_path = os.path.join(a.out, "train-state.pt")
    step, cursor, curve, epoch_len = 0, 0, [], len(order)
    t_spent = 0.0
    origin = (0, 0.0)  # (step, seconds) where the current schedule began
    if a.resume and os.path.exists(ckpt_path):
        st = torch.load(ckpt_path, map_location=a.device)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, cursor, curve, order, t_spent = st["step"], st["cursor"], st["curve"], st["order"], st["seconds"]
        rnd.setstate(st["rnd"])
        origin = st.get("origin", (0, 0.0))
        if a.warm_restart:
            origin = (step, t_spent)
        print(f"resumed at step {step}; schedule from step {origin[0]}", flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(lines)} lines, vocab {vocab}, {n_params:,} parameters", flush=True)
    write_config(os.path.join(a.out, "config.json"), a, vocab, eos)

    def progress(s):
        """Share of the cosine schedule done: by steps, or by time when a budget is set (whichever is ahead)."""
        s -= origin[0]
        q = (s - a.warmup) / max(1, a.steps - origin[0] - a.warmup)
        if a.time_budget_min > 0:
            q = max(q, (t_spent - origin[1] + time.time() - t0) / (60 * a.time_budget_min))
        return min(1.0, q)

    def lr_at(s):
        if s - origin[0] < a.warmup:
            return a.lr * (s - origin[0] + 1) / a.warmup
        q = progress(s)
        return a.min_lr + 0.5 * (a.lr - a.min_lr) * (1 + math.cos(math.pi * q))

    def save():
        write_safetensors(os.path.join(a.out, "model.safetensors"), model)
        with open(os.path.join(a.out, "loss-curve.json"), "w") as f:
            json.dump(curve, f)
            f.write("\n")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "cursor": cursor,
                    "curve": curve, "order": order, "rnd": rnd.getstate(), "seconds": t_spent,
                    "origin": origin}, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    t0, tokens_seen, run_loss = time.time(), 0, []
    while step < a.steps and not (step - origin[0] > a.warmup and progress(step) >= 1.0):
        if cursor >= epoch_len:  # a new epoch: a new order of the lines
            rnd.shuffle(order)
            cursor = 0
        ids, rows, cols, targets, kind, cursor = pack(lines, order, cursor, a.batch, a.ctx, eos,
                                                      a.prompt_loss_weight > 0)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        dev = lambda t: t.to(a.device)
        nll = F.cross_entropy(model.logits_at(dev(ids), dev(rows), dev(cols)), dev(targets), reduction="none")
        kind = dev(kind)
        # The completion's mean NLL (what the curve reports, comparable across runs), plus the prompt's if asked.
        loss = nll[kind].mean()
        total = loss + a.prompt_loss_weight * nll[~kind].mean() if a.prompt_loss_weight > 0 else loss
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += ids.numel()
        run_loss.append(loss.item())
        last = step == a.steps or (step - origin[0] > a.warmup and progress(step) >= 1.0)
        if step % 25 == 0 or last:
            dt = time.time() - t0
            t_spent += dt
            t0 = time.time()
            entry = {"step": step, "loss": sum(run_loss) / len(run_loss), "lr": lr_at(step - 1),
                     "seconds": round(t_spent, 1)}
            run_loss = []
            if step % a.eval_every == 0 or last:
                entry["exact_match_sample"] = exact_match(model, lines, sample, a.ctx, eos)
                t0 = time.time()
            curve.append(entry)
            print(json.dumps(entry), f"tok/s {tokens_seen / max(dt, 1e-9):.0f}", flush=True)
            tokens_seen = 0
        if step % a.ckpt_every == 0 or last:
            save()
    print("done", flush=True)


if __name__ == "__main__":
    main()
