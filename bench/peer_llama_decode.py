#!/usr/bin/env python3
"""The PyTorch/Python peer of `aia bench import`: greedy decoding of a Hugging Face LLaMA with a KV cache.

    python3 peer_llama_decode.py --model DIR --batch B --prompt P --tokens N --repeats R [--threads T]

The model as llama_reference.py defines it (RMSNorm, rotate-half RoPE, grouped-query attention,
SwiGLU), in float32, with the usual concatenating KV cache. Each repeat: a prefill of B prompts of
P random ids (seeded), then N greedy steps of one token per row; decode tokens/s = B * N / the N
steps' wall time. Prints one JSON line: per-repeat tokens/s, torch version, BLAS, threads.
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import blas  # noqa: E402

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_weights(directory):
    import struct
    index = os.path.join(directory, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    out = {}
    for name in files:
        raw = open(os.path.join(directory, name), "rb").read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        data = raw[8 + n:]
        for key, entry in header.items():
            if key == "__metadata__":
                continue
            b, e = entry["data_offsets"]
            t = torch.frombuffer(bytearray(data[b:e]), dtype=DTYPES[entry["dtype"]])
            out[key] = t.reshape(entry["shape"]).to(torch.float32)
    return out


class Llama:
    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.heads = cfg["num_attention_heads"]
        self.kv = cfg.get("num_key_value_heads", self.heads)
        self.d = cfg["hidden_size"] // self.heads
        self.eps = cfg["rms_norm_eps"]
        theta = cfg.get("rope_theta", 10000.0)
        self.inverse = 1.0 / (theta ** (torch.arange(0, self.d, 2, dtype=torch.float32) / self.d))
        self.layers = cfg["num_hidden_layers"]
        self.head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]

    def norm(self, x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    @staticmethod
    def rotate_half(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), dim=-1)

    def forward(self, ids, cache, start):
        """ids (B, T) -> last-position logits (B, V); cache: list of (k, v) per layer, grown."""
        w, b, t = self.w, ids.shape[0], ids.shape[1]
        x = w["model.embed_tokens.weight"][ids]
        angles = torch.outer(torch.arange(start, start + t, dtype=torch.float32), self.inverse)
        angles = torch.cat((angles, angles), dim=-1)
        cos, sin = angles.cos(), angles.sin()
        group = self.heads // self.kv
        for i in range(self.layers):
            p = "model.layers.%d." % i
            n = self.norm(x, w[p + "input_layernorm.weight"])
            q = (n @ w[p + "self_attn.q_proj.weight"].T).view(b, t, self.heads, self.d).transpose(1, 2)
            k = (n @ w[p + "self_attn.k_proj.weight"].T).view(b, t, self.kv, self.d).transpose(1, 2)
            v = (n @ w[p + "self_attn.v_proj.weight"].T).view(b, t, self.kv, self.d).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache[i] is not None:
                k = torch.cat((cache[i][0], k), dim=2)
                v = torch.cat((cache[i][1], v), dim=2)
            cache[i] = (k, v)
            kk = k.repeat_interleave(group, dim=1)
            vv = v.repeat_interleave(group, dim=1)
            scores = q @ kk.transpose(2, 3) / math.sqrt(self.d)
            if t > 1:
                total = kk.shape[2]
                mask = torch.triu(torch.full((t, total), float("-inf")), diagonal=total - t + 1)
                scores = scores + mask
            context = (torch.softmax(scores, dim=-1) @ vv).transpose(1, 2).reshape(b, t, -1)
            x = x + context @ w[p + "self_attn.o_proj.weight"].T
            n = self.norm(x, w[p + "post_attention_layernorm.weight"])
            gate = n @ w[p + "mlp.gate_proj.weight"].T
            x = x + (torch.nn.functional.silu(gate) * (n @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        x = self.norm(x[:, -1], w["model.norm.weight"])
        return x @ self.head.T


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--prompt", type=int, default=32)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    model = Llama(cfg, read_weights(a.model))
    gen = torch.Generator().manual_seed(0)
    rates = []
    with torch.no_grad():
        for r in range(a.repeats + 1):  # the first is warm-up
            ids = torch.randint(3, cfg["vocab_size"], (a.batch, a.prompt), generator=gen)
            cache = [None] * model.layers
            nxt = model.forward(ids, cache, 0).argmax(-1, keepdim=True)
            begin = time.perf_counter()
            for s in range(a.tokens):
                nxt = model.forward(nxt, cache, a.prompt + s).argmax(-1, keepdim=True)
            seconds = time.perf_counter() - begin
            if r > 0:
                rates.append(a.batch * a.tokens / seconds)
    print(json.dumps({"tokens_per_second": rates, "torch": torch.__version__, "blas": blas(),
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
