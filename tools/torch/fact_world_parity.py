#!/usr/bin/python3
"""Engine/PyTorch parity for a trained fact-world checkpoint: PyTorch's side.

Loads model.safetensors (HF GPT-2 names, Conv1D in x out) into the GPT-2 of train_fact_world.py and writes the
mean completion NLL of the first --n corpus lines (one line per sequence, no packing) with the sequences, so
`node --import ./bin/register.mjs tools/fact-world-v2/parity.ts --expected FILE --model DIR` can compute the same with the engine:

    /usr/bin/python3 tools/torch/fact_world_parity.py --model public/models/fact-world-v2 \
        --tokens /tmp/fw2-tokens.json --n 16 --out /tmp/fw2-parity.json
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_fact_world import GPT2  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        if h["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {h['dtype']}; this check reads F32 checkpoints.")
        a, b = h["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a : 8 + n + b], dtype=np.float32).copy()).view(h["shape"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    with open(a.tokens) as f:
        lines = json.load(f)["lines"][: a.n]
    model = GPT2(cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["n_positions"], cfg["vocab_size"], 0)
    weights = read_safetensors(os.path.join(a.model, "model.safetensors"))
    with torch.no_grad():
        for name in model.names:
            model.w(name).copy_(weights[name])
    losses = []
    with torch.no_grad():
        for prompt, completion in lines:
            seq = prompt + completion
            logits = model.hidden(torch.tensor([seq]))[0] @ model.w("wte.weight").T
            logp = logits[len(prompt) - 1 : len(seq) - 1].double().log_softmax(-1)
            losses.append(-logp.gather(1, torch.tensor(completion)[:, None]).mean().item())
    result = {"sequences": [p + c for p, c in lines], "promptLengths": [len(p) for p, _ in lines],
              "losses": losses, "mean": sum(losses) / len(losses)}
    with open(a.out, "w") as f:
        json.dump(result, f)
    print(f"PyTorch mean completion NLL over {len(lines)} lines: {result['mean']:.6f}")


if __name__ == "__main__":
    main()
