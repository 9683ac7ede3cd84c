#!/usr/bin/env python3
"""The same image-generation decode loop in PyTorch/Python, as the speed peer of aia4j's ONNX
Runtime and DJL decoders (`aia bench decode` runs it).

It reads --dir: model.safetensors (backend-djl's parameter names and layouts) and decode.json
(model shape, the batches' conditional and unconditional prefixes, the image-token mask, the CFG
weight, the number of image tokens). Per batch it decodes exactly like aia4j: prefixes left-padded
into one KV-cached forward, padding masked as keys, positions counted from each row's first real
token, then one token per row per step; guided logits u + w (c - u), argmax over allowed image
tokens. It serves timed blocks of calls on stdin (see main), so the benchmark takes turns between
it and aia4j's engines; each block returns its calls' seconds and the codes of its first call (to
check all engines decode the same images).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

from peer_common import blas, read_safetensors


class Decoder:
    """backend-djl's UnifiedTransformer with a KV cache: pre-norm, fused qkv, erf GELU, untied head."""

    def __init__(self, w, layers, heads):
        self.w = w
        self.layers = layers
        self.heads = heads

    @torch.no_grad()
    def forward(self, ids, positions, key_padding, cache):
        """ids, positions (B, T); key_padding (B, S) True where masked; cache: list of (k, v) or None."""
        w = self.w
        b, t = ids.shape
        x = F.embedding(ids, w["embedding.token.weight"]) + F.embedding(positions, w["embedding.position.weight"])
        width = x.shape[-1]
        d = width // self.heads
        past = 0 if cache[0] is None else cache[0][0].shape[2]
        s = past + t
        future = torch.arange(s).view(1, s) > (torch.arange(t) + past).view(t, 1)
        masked = future.view(1, 1, t, s) | key_padding.view(b, 1, 1, s)
        bias = torch.zeros(b, 1, t, s).masked_fill(masked, -1e9)
        for i in range(self.layers):
            p = f"layers.{i}."
            h = F.layer_norm(x, (width,), w[p + "attention_norm.weight"], w[p + "attention_norm.bias"], 1e-5)
            qkv = F.linear(h, w[p + "attention.qkv.weight"], w[p + "attention.qkv.bias"])
            q, k, v = qkv.view(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4)
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], 2)
                v = torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
            scores = (q / math.sqrt(d)) @ k.transpose(-1, -2) + bias
            a = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, width)
            x = x + F.linear(a, w[p + "attention.out.weight"], w[p + "attention.out.bias"])
            h = F.layer_norm(x, (width,), w[p + "mlp_norm.weight"], w[p + "mlp_norm.bias"], 1e-5)
            h = F.gelu(F.linear(h, w[p + "mlp.up.weight"], w[p + "mlp.up.bias"]))
            x = x + F.linear(h, w[p + "mlp.down.weight"], w[p + "mlp.down.bias"])
        x = F.layer_norm(x[:, -1:], (width,), w["final_norm.weight"], w["final_norm.bias"], 1e-5)
        return F.linear(x, w["lm_head.weight"])[:, 0]


def generate(model, prefixes, samples, cfg, image_tokens, allowed):
    """prefixes: 2 rows per sample (conditional, unconditional). Returns the codes (samples, image_tokens)."""
    rows = len(prefixes)
    longest = max(len(p) for p in prefixes)
    padding = [longest - len(p) for p in prefixes]
    ids = torch.tensor([[0] * pad + p for p, pad in zip(prefixes, padding)], dtype=torch.long)
    positions = torch.tensor([[max(0, i - pad) for i in range(longest)] for pad in padding], dtype=torch.long)
    cache = [None] * model.layers
    key_padding = torch.tensor([[j < pad for j in range(longest)] for pad in padding])
    logits = model.forward(ids, positions, key_padding, cache)
    codes = []
    length = longest
    blocked = ~allowed
    for step in range(image_tokens):
        cond, uncond = logits[0::2], logits[1::2]
        guided = uncond + cfg * (cond - uncond)
        token = guided.masked_fill(blocked, float("-inf")).argmax(-1)
        codes.append(token)
        if step + 1 == image_tokens:
            break
        fed = token.repeat_interleave(2).view(rows, 1)
        pos = torch.tensor([[max(0, length - pad)] for pad in padding], dtype=torch.long)
        key_padding = torch.cat([key_padding, torch.zeros(rows, 1, dtype=torch.bool)], 1)
        logits = model.forward(fed, pos, key_padding, cache)
        length += 1
    return torch.stack(codes, 1)


def main():
    """Serves measurement blocks on stdin, so the benchmark interleaves them with aia4j's engines.

    After loading it prints {"ready": true, "torch", "blas"}; then each line read is a block,
    {"batch": "16", "threads": 1, "warmup": 3, "repeats": 5, "min_seconds": 1.0} (at least that many
    calls, and more until the block lasts min_seconds), answered with one line
    {"seconds": [...], "codes": [...]} (the codes of the first call); {"quit": true} ends it.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    spec = json.load(open(f"{args.dir}/decode.json"))
    model = Decoder(read_safetensors(f"{args.dir}/model.safetensors"), spec["layers"], spec["heads"])
    allowed = torch.zeros(spec["vocabulary"], dtype=torch.bool)
    allowed[spec["allowed"]] = True
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas()}), flush=True)
    for line in sys.stdin:
        block = json.loads(line)
        if block.get("quit"):
            break
        batch = spec["batches"][block["batch"]]
        torch.set_num_threads(int(block["threads"]))
        run = lambda: generate(model, batch["prefixes"], int(block["batch"]), spec["cfg"], spec["image_tokens"], allowed)
        codes = run()
        for _ in range(int(block["warmup"])):
            run()
        seconds = []
        began = time.perf_counter()
        # At least "repeats" calls, and as many more as fill "min_seconds": short blocks are noisy.
        while len(seconds) < int(block["repeats"]) or time.perf_counter() - began < float(block.get("min_seconds", 0)):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"seconds": seconds, "codes": codes.tolist()}), flush=True)


if __name__ == "__main__":
    main()
