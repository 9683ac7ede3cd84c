#!/usr/bin/env python3
"""The same unified transformer and training step in PyTorch, as the speed and numerics peer of
aia4j's DJL trainer (`aia bench train` runs it).

It reads what aia4j exported into --dir: model.safetensors (the model's parameters, names and
layouts of backend-djl's UnifiedTransformer), batch.safetensors (each task's tokens, labels, loss
mask and AIA query/key sets) and peer.json (config, AIA targets and lambdas). It serves timed
blocks of steps (forward, loss, backward, clipping, AdamW) with and without the AIA term (see
main), each answered with its step times and the mode's first-step loss (to check both engines
compute the same function).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

from peer_common import blas, read_safetensors


class Peer(torch.nn.Module):
    """backend-djl's UnifiedTransformer: pre-norm, fused qkv, GELU (erf), learned positions, untied head."""

    def __init__(self, params, layers, heads):
        super().__init__()
        # Clone: every mode starts from the exported weights, untouched by another mode's updates.
        self.p = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v.clone()) for k, v in params.items()})
        self.layers = layers
        self.heads = heads

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def forward(self, tokens, capture):
        b, t = tokens.shape
        x = F.embedding(tokens, self.w("embedding.token.weight")) + self.w("embedding.position.weight")[:t]
        width = x.shape[-1]
        d = width // self.heads
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        qs, ks = [], []
        for i in range(self.layers):
            pre = f"layers.{i}."
            h = F.layer_norm(x, (width,), self.w(pre + "attention_norm.weight"), self.w(pre + "attention_norm.bias"), 1e-5)
            qkv = F.linear(h, self.w(pre + "attention.qkv.weight"), self.w(pre + "attention.qkv.bias"))
            q, k, v = qkv.split(width, dim=-1)
            q = q.view(b, t, self.heads, d).transpose(1, 2)
            k = k.view(b, t, self.heads, d).transpose(1, 2)
            v = v.view(b, t, self.heads, d).transpose(1, 2)
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(d)
            scores = scores.masked_fill(causal, -1e9)
            attn = scores.softmax(-1) @ v
            attn = attn.transpose(1, 2).reshape(b, t, width)
            x = x + F.linear(attn, self.w(pre + "attention.out.weight"), self.w(pre + "attention.out.bias"))
            h = F.layer_norm(x, (width,), self.w(pre + "mlp_norm.weight"), self.w(pre + "mlp_norm.bias"), 1e-5)
            h = F.gelu(F.linear(h, self.w(pre + "mlp.up.weight"), self.w(pre + "mlp.up.bias")))
            x = x + F.linear(h, self.w(pre + "mlp.down.weight"), self.w(pre + "mlp.down.bias"))
            if capture:
                qs.append(q)
                ks.append(k)
        x = F.layer_norm(x, (width,), self.w("final_norm.weight"), self.w("final_norm.bias"), 1e-5)
        return F.linear(x, self.w("lm_head.weight")), qs, ks


def token_loss(logits, labels, mask):
    picked = logits.log_softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    return -(picked * mask).sum() / mask.sum().clamp(min=1)


def interaction(q, k, query_index, query_valid, key_mask):
    """aia-loss's lean statistic: only the query rows of the attention map."""
    b, h, t, d = q.shape
    qmax = query_index.shape[1]
    rows = q.gather(2, query_index.view(b, 1, qmax, 1).expand(b, h, qmax, d))
    logits = rows @ k.transpose(-1, -2) / math.sqrt(d)
    visible = torch.arange(t).view(1, 1, 1, t) <= query_index.view(b, 1, qmax, 1)
    probabilities = (logits + (~visible).float() * -1e9).softmax(-1)
    row_mass = (probabilities @ key_mask.view(b, 1, t, 1)).squeeze(-1).mean(1)
    valid = query_valid
    return (row_mass * valid).sum(1) / valid.sum(1).clamp(min=1)


def huber(x, delta):
    ax = x.abs()
    return torch.where(ax <= delta, 0.5 * x * x, delta * (ax - 0.5 * delta))


def step_loss(model, batch, spec, with_aia):
    total = 0
    for task in spec["tasks"]:
        tb = {k[len(task) + 1:]: v for k, v in batch.items() if k.startswith(task + ".")}
        logits, qs, ks = model(tb["tokens"], with_aia)
        loss = token_loss(logits, tb["labels"], tb["loss_mask"])
        if with_aia:
            targets = spec["aia"][task]
            qualifies = tb["qualifies"]
            masses = torch.stack([interaction(qs[l], ks[l], tb["query_index"], tb["query_valid"], tb["key_mask"])
                                  for l in range(len(qs))])  # (L, B)
            target = torch.tensor(targets["target"]).reshape(-1, 1)
            delta = torch.tensor(targets["delta"]).reshape(-1, 1)
            count = qualifies.sum().clamp(min=1)
            if spec["aia"].get("aggregation", "per-sample") == "batch-mean":
                means = (masses * qualifies).sum(1, keepdim=True) / count
                aia = huber(means - target, delta).mean()
            else:  # per sample, as the AIA reference code: Huber of each sample's I_l
                aia = (huber(masses - target, delta).mean(0) * qualifies).sum() / count
            loss = loss + targets["lambda"] * aia
        total = total + loss
    return total


def main():
    """Serves timed blocks of training steps on stdin, so the benchmark interleaves them with aia4j's.

    Each mode (next-token only, with AIA) keeps its own model and AdamW from the exported weights
    across blocks, as aia4j's trainers do. After loading it prints {"ready": true, "torch", "blas"};
    each line read is a block, {"mode": "ntp"|"aia", "threads": 1, "warmup": 3, "steps": 10},
    answered with {"seconds": [...], "first_loss": the mode's first step's loss}; {"quit": true} ends.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    spec = json.load(open(f"{args.dir}/peer.json"))
    params = read_safetensors(f"{args.dir}/model.safetensors")
    batch = read_safetensors(f"{args.dir}/batch.safetensors")
    modes = {}
    for key in ("ntp", "aia"):
        model = Peer(params, spec["layers"], spec["heads"])
        optimizer = torch.optim.AdamW(
            [{"params": [p for p in model.parameters() if p.dim() >= 2], "weight_decay": spec["weight_decay"]},
             {"params": [p for p in model.parameters() if p.dim() < 2], "weight_decay": 0.0}],
            lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
        modes[key] = {"model": model, "optimizer": optimizer, "first": None}
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas()}), flush=True)
    for line in sys.stdin:
        block = json.loads(line)
        if block.get("quit"):
            break
        mode = modes[block["mode"]]
        torch.set_num_threads(int(block["threads"]))
        times = []
        for i in range(int(block["warmup"]) + int(block["steps"])):
            start = time.perf_counter()
            mode["optimizer"].zero_grad(set_to_none=False)
            loss = step_loss(mode["model"], batch, spec, block["mode"] == "aia")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(mode["model"].parameters(), 1.0)
            mode["optimizer"].step()
            elapsed = time.perf_counter() - start
            if mode["first"] is None:
                mode["first"] = loss.item()
            if i >= int(block["warmup"]):
                times.append(elapsed)
        print(json.dumps({"seconds": times, "first_loss": mode["first"]}), flush=True)


if __name__ == "__main__":
    main()
