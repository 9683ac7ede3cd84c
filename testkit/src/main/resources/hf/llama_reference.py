#!/usr/bin/env python3
"""A float64 LLaMA forward pass, written from the published definition, as the numerics reference.

    python3 llama_reference.py CHECKPOINT_DIR REQUEST.json OUT.json

CHECKPOINT_DIR is a Hugging Face LLaMA checkpoint (config.json and model.safetensors, or shards
named by model.safetensors.index.json; F32, F16 or BF16). REQUEST.json is
{"sequences": [[ids...], ...], "greedy": N, "hidden": false}. OUT.json receives, per sequence, the logits of every
position ("logits": [sequence][position][vocab]), the post-softmax attention of every layer averaged
over heads' rows as the interaction statistic reads them ("attention": [sequence][layer][head][query]
[key]), the N greedy next ids ("greedy": [sequence][N]) and, when asked for, the residual stream
after every layer ("hidden": [sequence][layer][position][width]).

The model, as Touvron et al. (arXiv 2302.13971) define it and Hugging Face's modeling_llama.py
computes it: RMSNorm (w * x / sqrt(mean(x^2) + eps)), rotary embeddings in the rotate-half
convention (angles p * theta^(-2i/d), duplicated over the two halves), grouped-query attention
(query head h reads key/value head h // (heads / kv_heads)), SwiGLU MLP (down(silu(gate x) * up x)),
no biases, untied or tied head. With qk_layernorm (Chameleon's ChameleonAttention), each head's
queries and keys are layer-normed over the head's width (eps 1e-5, no affine), then multiplied by
that head's q_norm/k_norm weight and shifted by its bias, before the rotary embedding. Every sequence runs alone from position 0, in float64 throughout:
padding, batching and caching are the engine's business, and the engine must match this.
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]])
        out[name] = t.reshape(entry["shape"]).to(torch.float64)
    return out


def read_weights(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(directory, name)))
    return weights


def rms_norm(x, weight, eps):
    return weight * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def head_norm(x, weight, bias):
    """x (T, heads, d): LayerNorm over d, then a weight and bias per head, as ChameleonLayerNorm."""
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * weight + bias


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, w, ids):
    """Logits (T, V), per-layer attention (L, H, T, T) and hidden states after each layer (L, T, W)."""
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    d = hidden // heads
    eps, theta = cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
    t = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    positions = torch.arange(t, dtype=torch.float64)
    inverse = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    angles = torch.outer(positions, inverse)
    angles = torch.cat((angles, angles), dim=-1)
    cos, sin = angles.cos(), angles.sin()
    causal = torch.triu(torch.full((t, t), float("-inf"), dtype=torch.float64), diagonal=1)
    attentions = []
    states = []
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        n = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (n @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, d)
        k = (n @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv_heads, d)
        if cfg.get("qk_layernorm", False):
            q = head_norm(q, w[p + "self_attn.q_norm.weight"], w[p + "self_attn.q_norm.bias"])
            k = head_norm(k, w[p + "self_attn.k_norm.weight"], w[p + "self_attn.k_norm.bias"])
        q, k = q.transpose(0, 1), k.transpose(0, 1)
        v = (n @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv_heads, d).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = heads // kv_heads
        k = k[[h // group for h in range(heads)]]
        v = v[[h // group for h in range(heads)]]
        probs = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d) + causal, dim=-1)
        attentions.append(probs)
        context = (probs @ v).transpose(0, 1).reshape(t, hidden)
        x = x + context @ w[p + "self_attn.o_proj.weight"].T
        n = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = n @ w[p + "mlp.gate_proj.weight"].T
        up = n @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate * torch.sigmoid(gate) * up) @ w[p + "mlp.down_proj.weight"].T
        states.append(x)
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T, torch.stack(attentions), torch.stack(states)


def main():
    directory, request_file, out_file = sys.argv[1:4]
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    w = read_weights(directory)
    with open(request_file) as f:
        request = json.load(f)
    result = {"logits": [], "attention": [], "greedy": []}
    if request.get("hidden", False):
        result["hidden"] = []
    with torch.no_grad():
        for ids in request["sequences"]:
            logits, attention, hidden = forward(cfg, w, ids)
            result["logits"].append(logits.tolist())
            result["attention"].append(attention.tolist())
            if "hidden" in result:
                result["hidden"].append(hidden.tolist())
            grown = list(ids)
            for _ in range(request.get("greedy", 0)):
                grown.append(int(forward(cfg, w, grown)[0][-1].argmax()))
            result["greedy"].append(grown[len(ids):])
    with open(out_file, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
