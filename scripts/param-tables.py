#!/usr/bin/env python3
"""Rewrites the parameter tables of docs/models/<model>.md from the model's params.rs.

Every parameter is declared once, in code (`param_group!`: name, type, default, allowed
range, unit, reason); the docs' tables are generated from it so that they cannot drift.
`cargo test` checks that the docs list every parameter with its default.

    python3 scripts/param-tables.py resistance
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = re.compile(
    r'(\w+): \w+ = ([^,]+), \[([^,\]]+), ([^\]]+)\], "((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)";',
    re.S,
)
GROUP = re.compile(r"param_group! \{\s*///[^\n]*\n\s*(\w+) / \w+ \{(.*?)\n    \}\n\}", re.S)


def number(text):
    text = text.strip()
    return text.replace("_", "")


def main(model):
    params = (ROOT / f"crates/core/src/model/{model}/params.rs").read_text()
    docs_path = ROOT / f"docs/models/{model}.md"
    docs = docs_path.read_text()
    for group in GROUP.finditer(params):
        body = group.group(2)
        rows = []
        for m in ENTRY.finditer(body):
            name, default, lo, hi, unit, why = m.groups()
            rows.append(
                f"| `{name}` | {unit} | {number(lo)}–{number(hi)} | {default.strip()} | {why} |"
            )
        if not rows:
            continue
        first = rows[0].split("|")[1].strip()
        # The table that holds the group's first parameter.
        lines = docs.split("\n")
        at = next(i for i, l in enumerate(lines) if l.startswith(f"| {first} |"))
        end = at
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        lines[at:end] = rows
        docs = "\n".join(lines)
    docs_path.write_text(docs)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resistance")
