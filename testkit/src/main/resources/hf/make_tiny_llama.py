#!/usr/bin/env python3
"""Writes a tiny random LLaMA checkpoint in the Hugging Face layout, standard library only.

    python3 make_tiny_llama.py [OUT_DIR] [--qk-norm]     (default: tiny-llama beside this script)

With --qk-norm it writes a Chameleon-style checkpoint instead: model_type chameleon, qk_layernorm
true, each layer's self_attn.q_norm / k_norm weight and bias of shape (heads, head_dim) and
(kv_heads, head_dim), and a small model.vqmodel.* tensor (Chameleon keeps its VQ-GAN in the same
checkpoint; the importer must skip it).

Output: config.json, two BF16 safetensors shards, model.safetensors.index.json, a WordLevel
tokenizer.json with tokenizer_config.json (BOS added by the post-processor and by add_bos_token,
as LLaMA's fast tokenizer has it: the model must see it once) and expected.json (the first values of a few tensors as float32, decoded from the BF16 bits written, so the Java test
compares exactly). Seeded and written byte for byte the same on every run; the Java tests run it
into a temporary directory (TinyLlama.java) and check that a second run writes the same bytes.
"""
import json
import os
import random
import struct
import sys

SEED = 20260101
VOCAB, HIDDEN, LAYERS, HEADS, KV_HEADS, INTERMEDIATE = 64, 32, 2, 4, 2, 48
HEAD_DIM = HIDDEN // HEADS


def bf16_bits(x):
    """The bfloat16 nearest a float32 (round half to even), as HF's torch .to(bfloat16) does."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    rounding = 0x7FFF + ((bits >> 16) & 1)
    return ((bits + rounding) >> 16) & 0xFFFF


def bf16_value(b):
    return struct.unpack("<f", struct.pack("<I", b << 16))[0]


def tensors_for(rng, qk_norm=False):
    """(name, shape, bf16 bits) in HF's order; norms near 1, matrices Gaussians of std 1/sqrt(cols).

    Weights that large give logits and attention scores of order 1, so the numerics tests compare
    values that matter (with 0.02 the logits would all be near 0 and every row's attention uniform).
    """
    out = []

    def matrix(name, rows, cols):
        std = cols ** -0.5
        out.append((name, [rows, cols], [bf16_bits(rng.gauss(0.0, std)) for _ in range(rows * cols)]))

    def norm(name):
        out.append((name, [HIDDEN], [bf16_bits(1.0 + rng.gauss(0.0, 0.1)) for _ in range(HIDDEN)]))

    def head_norm(name, heads):
        # Weights near 1 and biases near 0 but far enough from them that a missing norm shows.
        n = heads * HEAD_DIM
        out.append((name + ".weight", [heads, HEAD_DIM], [bf16_bits(1.0 + rng.gauss(0.0, 0.3)) for _ in range(n)]))
        out.append((name + ".bias", [heads, HEAD_DIM], [bf16_bits(rng.gauss(0.0, 0.3)) for _ in range(n)]))

    matrix("model.embed_tokens.weight", VOCAB, HIDDEN)
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        matrix(p + "self_attn.q_proj.weight", HEADS * HEAD_DIM, HIDDEN)
        matrix(p + "self_attn.k_proj.weight", KV_HEADS * HEAD_DIM, HIDDEN)
        matrix(p + "self_attn.v_proj.weight", KV_HEADS * HEAD_DIM, HIDDEN)
        matrix(p + "self_attn.o_proj.weight", HIDDEN, HEADS * HEAD_DIM)
        if qk_norm:
            head_norm(p + "self_attn.q_norm", HEADS)
            head_norm(p + "self_attn.k_norm", KV_HEADS)
        matrix(p + "mlp.gate_proj.weight", INTERMEDIATE, HIDDEN)
        matrix(p + "mlp.up_proj.weight", INTERMEDIATE, HIDDEN)
        matrix(p + "mlp.down_proj.weight", HIDDEN, INTERMEDIATE)
        norm(p + "input_layernorm.weight")
        norm(p + "post_attention_layernorm.weight")
    norm("model.norm.weight")
    matrix("lm_head.weight", VOCAB, HIDDEN)
    if qk_norm:
        matrix("model.vqmodel.quantize.embedding.weight", 16, 4)
    return out


def write_safetensors(path, tensors):
    """The safetensors layout: u64 header length, JSON header padded with spaces to 8, data."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, bits in tensors:
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + 2 * len(bits)]}
        offset += 2 * len(bits)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for _, _, bits in tensors:
            f.write(struct.pack("<%dH" % len(bits), *bits))
    return offset


# The tokenizer's words: ids 0-2 are <unk>, <s>, </s>; the rest fill the vocabulary.
WORDS = ("the a red green blue yellow purple orange white black circle square triangle star cross "
         "ring one two three four left right above below of and is there what colour shape image "
         "picture draw show me how many big small on in at to with near far count where which who "
         "yes no maybe cat dog bird tree house car sky sea").split()


def tokenizer_json():
    """A Hugging Face tokenizer.json: WordLevel on whitespace, <s> prepended by TemplateProcessing."""
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for word in WORDS[:VOCAB - 3]:
        vocab[word] = len(vocab)
    assert len(vocab) == VOCAB, len(vocab)
    special = lambda i, content: {"id": i, "content": content, "single_word": False, "lstrip": False,
                                  "rstrip": False, "normalized": False, "special": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
        "normalizer": None,
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }


# A LLaMA-2-style chat template in the fixture's words: BOS once, "me" opens a user turn, "show" an
# assistant's (closed by EOS), "how" a system prompt; other roles are refused as transformers' are.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ 'how ' + message['content'] | trim + ' ' }}"
    "{% elif message['role'] == 'user' %}{{ 'me ' + message['content'] | trim + ' ' }}"
    "{% elif message['role'] == 'assistant' %}{{ 'show ' + message['content'] | trim + ' ' + eos_token }}"
    "{% else %}{{ raise_exception('Only system, user and assistant roles are supported') }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'show' }}{% endif %}"
)


def write_json(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    args = [a for a in sys.argv[1:] if a != "--qk-norm"]
    qk_norm = "--qk-norm" in sys.argv[1:]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-llama")
    os.makedirs(out, exist_ok=True)
    tensors = tensors_for(random.Random(SEED), qk_norm)
    config = {
        "architectures": ["ChameleonForConditionalGeneration" if qk_norm else "LlamaForCausalLM"],
        "model_type": "chameleon" if qk_norm else "llama",
        "vocab_size": VOCAB,
        "hidden_size": HIDDEN,
        "intermediate_size": INTERMEDIATE,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "rms_norm_eps": 1e-5,
        "rope_theta": 500000.0,
        "max_position_embeddings": 128,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
    }
    if qk_norm:
        config["qk_layernorm"] = True
        config["swin_norm"] = False
    write_json(os.path.join(out, "config.json"), config)
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json())
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "model_max_length": 128,
        "tokenizer_class": "LlamaTokenizerFast",
        "chat_template": CHAT_TEMPLATE,
    })
    # Shard 1: the embedding and layer 0; shard 2: layer 1, the final norm and the head.
    split = [i for i, t in enumerate(tensors) if t[0].startswith("model.layers.1.")][0]
    shards = [("model-00001-of-00002.safetensors", tensors[:split]),
              ("model-00002-of-00002.safetensors", tensors[split:])]
    weight_map = {}
    total = 0
    for file, part in shards:
        total += write_safetensors(os.path.join(out, file), part)
        for name, _, _ in part:
            weight_map[name] = file
    write_json(os.path.join(out, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})
    picked = ["model.embed_tokens.weight", "model.layers.0.self_attn.k_proj.weight",
              "model.layers.1.mlp.down_proj.weight", "model.norm.weight", "lm_head.weight"]
    by_name = {name: (shape, bits) for name, shape, bits in tensors}
    write_json(os.path.join(out, "expected.json"), {
        name: {"shape": by_name[name][0], "first": [bf16_value(b) for b in by_name[name][1][:8]],
               "last": bf16_value(by_name[name][1][-1])}
        for name in picked})


if __name__ == "__main__":
    main()
