#!/usr/bin/env python3
"""Renders chat templates as transformers' apply_chat_template does, the reference for aia4j's.

    python3 render_chat_template.py REQUEST.json OUT.json

REQUEST.json: {"template": "...", "specials": {"bos_token": "<s>", ...}, "cases": [{"messages":
[{"role", "content"}], "add_generation_prompt": bool}, ...]}. OUT.json: one entry per case,
{"text": rendered} or {"error": the template's raise_exception message}.

transformers (utils/chat_template_utils.py) compiles the template in jinja2's
ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, and gives it raise_exception,
which raises a TemplateError with the template's message; the special tokens are passed by name.
"""
import json
import sys

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def main():
    request_file, out_file = sys.argv[1:3]
    with open(request_file, encoding="utf-8") as f:
        request = json.load(f)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    template = env.from_string(request["template"])
    out = []
    for case in request["cases"]:
        try:
            out.append({"text": template.render(messages=case["messages"],
                                                add_generation_prompt=case["add_generation_prompt"],
                                                **request["specials"])})
        except TemplateError as e:
            out.append({"error": e.message})
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
