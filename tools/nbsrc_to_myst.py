#!/usr/bin/env python3
"""Convert notebook sources from the earlier MyST-like format to MyST Markdown notebooks (jupytext ``md:myst``).

    .venv/bin/python tools/nbsrc_to_myst.py tools/nbsrc/*.md     # rewrite in place; a converted file is left as is

Two things change; the text of every cell stays as it was:

* a code fence ```` ```python {"nbgrader": "tests", "id": "x", "points": 2} ```` becomes
  ```` ```{code-cell} ipython3 ```` followed by one option line per key (``:nbgrader: tests``,
  ``:grade_id: x``, ``:points: 2``) and a blank line (``id`` is now called ``grade_id``, nbgrader's name);
* a first line ``<!-- target: solutions/x.ipynb -->`` becomes the front matter ``target: solutions/x.ipynb``.

Markdown separators (``+++`` and ``+++ {json}``) were MyST already. Running the script twice changes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

FENCE = re.compile(r"^```python\s*(\{.*\})?\s*$")
TARGET = re.compile(r"^<!-- target:\s*(\S+)\s*-->\s*$")


def _yaml_value(value) -> str:
    """A value as a short YAML flow scalar (``skip``, ``2``, ``[parameters]``); JSON when plain text would
    read back as something else (``'-'`` would be a list)."""
    plain = "[" + ", ".join(map(_yaml_value, value)) + "]" if isinstance(value, list) else \
        value if isinstance(value, str) else json.dumps(value)
    try:
        if yaml.safe_load(plain) == value and "\n" not in plain:
            return plain
    except yaml.YAMLError:
        pass
    return json.dumps(value)


def convert(text: str) -> str:
    lines = text.split("\n")
    out = []
    m = TARGET.match(lines[0]) if lines else None
    if m:
        out += ["---", f"target: {m.group(1)}", "---", ""]
        lines = lines[1:]
    for line in lines:
        m = FENCE.match(line)
        if not m:
            out.append(line)
            continue
        out.append("```{code-cell} ipython3")
        options = json.loads(m.group(1)) if m.group(1) else {}
        for key, value in options.items():
            out.append(f":{'grade_id' if key == 'id' else key}: {_yaml_value(value)}")
        if options:
            out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    args = ap.parse_args(argv)
    for p in args.paths:
        old = p.read_text()
        new = convert(old)
        if new != old:
            p.write_text(new)
            print(f"converted {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
