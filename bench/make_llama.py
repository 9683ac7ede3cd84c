#!/usr/bin/env python3
"""Writes a random LLaMA-architecture model in the Hugging Face layout, for `aia bench import`.

    python3 make_llama.py --out DIR [--vocab 32000 --hidden 768 --layers 12 --heads 12 --kv-heads 4
                                     --intermediate 1536 --seed 0]

Output: config.json (model_type llama, rope_theta 500000, untied head), two BF16 shards with
model.safetensors.index.json, and a WordLevel tokenizer.json with tokenizer_config.json (a plain chat_template). Weights are
N(0, 1/sqrt(cols)), norms N(1, 0.1), drawn with numpy from the seed: the same bytes on every run.
"""
import argparse
import json
import os
import struct

import numpy as np


def bf16(values):
    """float32 -> bfloat16 bits, round half to even (as torch's .to(bfloat16))."""
    bits = values.astype(np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--kv-heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=1536)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    d = a.hidden // a.heads
    shapes = [("model.embed_tokens.weight", (a.vocab, a.hidden))]
    for i in range(a.layers):
        q = "model.layers.%d." % i
        shapes += [(q + "self_attn.q_proj.weight", (a.heads * d, a.hidden)),
                   (q + "self_attn.k_proj.weight", (a.kv_heads * d, a.hidden)),
                   (q + "self_attn.v_proj.weight", (a.kv_heads * d, a.hidden)),
                   (q + "self_attn.o_proj.weight", (a.hidden, a.heads * d)),
                   (q + "mlp.gate_proj.weight", (a.intermediate, a.hidden)),
                   (q + "mlp.up_proj.weight", (a.intermediate, a.hidden)),
                   (q + "mlp.down_proj.weight", (a.hidden, a.intermediate)),
                   (q + "input_layernorm.weight", (a.hidden,)),
                   (q + "post_attention_layernorm.weight", (a.hidden,))]
    shapes += [("model.norm.weight", (a.hidden,)), ("lm_head.weight", (a.vocab, a.hidden))]
    half = len(shapes) // 2
    weight_map, total = {}, 0
    for k, part in enumerate((shapes[:half], shapes[half:])):
        file = "model-%05d-of-00002.safetensors" % (k + 1)
        header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
        for name, shape in part:
            if len(shape) == 1:
                values = 1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
            else:
                values = rng.standard_normal(shape, dtype=np.float32) * (shape[1] ** -0.5)
            blob = bf16(values).tobytes()
            header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
            offset += len(blob)
            blobs.append(blob)
            weight_map[name] = file
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * (-len(raw) % 8)
        with open(os.path.join(a.out, file), "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for blob in blobs:
                f.write(blob)
        total += offset
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=1)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": a.vocab,
                   "hidden_size": a.hidden, "intermediate_size": a.intermediate, "num_hidden_layers": a.layers,
                   "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads, "rms_norm_eps": 1e-5,
                   "rope_theta": 500000.0, "max_position_embeddings": 2048, "tie_word_embeddings": False,
                   "torch_dtype": "bfloat16", "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu"}, f, indent=1)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(3, a.vocab):
        vocab["w%d" % i] = i
    special = lambda i, c: {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                            "normalized": False, "special": True}
    with open(os.path.join(a.out, "tokenizer.json"), "w") as f:
        json.dump({"version": "1.0", "truncation": None, "padding": None,
                   "added_tokens": [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
                   "normalizer": None, "pre_tokenizer": {"type": "Whitespace"},
                   "post_processor": {"type": "TemplateProcessing",
                                      "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                                 {"Sequence": {"id": "A", "type_id": 0}}],
                                      "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                               {"Sequence": {"id": "A", "type_id": 0}},
                                               {"Sequence": {"id": "B", "type_id": 1}}],
                                      "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
                   "decoder": None, "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}, f)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "tokenizer_class": "LlamaTokenizerFast",
                   # a plain template (turns' contents one after another), so the server can chat with it
                   "chat_template": "{{ bos_token }}{% for message in messages %}{{ message['content'] }} "
                                    "{% endfor %}"}, f, indent=1)
    params = sum(int(np.prod(s)) for _, s in shapes)
    print(json.dumps({"parameters": params, "bytes_bf16": total}))


if __name__ == "__main__":
    main()
