#!/usr/bin/env python3
"""Keeps the tutorial of rules/README.md honest.

The guide shows the files of this folder verbatim, each in the fenced code
block that follows a marker comment `<!-- tutorial:FILE -->`. This script
checks that every marked block is byte for byte the file it names, that every
file of the tutorial is shown, and that `ogid rules test` passes on the
folder, so the guide never teaches a rule that does not load or a test that
fails.

Usage: check_tutorial.py OGID_BINARY SOURCE_DIR
"""
import os
import re
import subprocess
import sys

SHOWN = ["section5.lua", "section5.test.yaml"]
MARKER = re.compile(r"<!-- tutorial:(?P<name>[^ ]+) -->\n```[a-z]*\n(?P<body>.*?)^```$",
                    re.S | re.M)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ogid, src = sys.argv[1], sys.argv[2]
    here = os.path.join(src, "tests", "rules-tutorial")
    with open(os.path.join(src, "rules", "README.md"), encoding="utf-8") as f:
        guide = f.read()

    failures = []
    blocks = {}
    for m in MARKER.finditer(guide):
        name = m.group("name")
        if name in blocks:
            failures.append(f"README.md shows {name} twice")
        blocks[name] = m.group("body")
    for name in SHOWN:
        if name not in blocks:
            failures.append(f"README.md has no block marked <!-- tutorial:{name} -->")
            continue
        with open(os.path.join(here, name), encoding="utf-8") as f:
            text = f.read()
        if blocks[name] != text:
            a, b = blocks[name].splitlines(), text.splitlines()
            line = next((i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y),
                        min(len(a), len(b)) + 1)
            failures.append(f"README.md's {name} differs from tests/rules-tutorial/{name} "
                            f"at line {line} of the file")
    for name in blocks:
        if name not in SHOWN:
            failures.append(f"README.md marks {name}, which is not a tutorial file")

    p = subprocess.run([ogid, "rules", "test", here], capture_output=True, text=True,
                       timeout=120)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    if p.returncode != 0 or not m or m.group(2) != "0" or int(m.group(1)) == 0:
        failures.append(f"ogid rules test {here}: exit {p.returncode}, last line {last!r}")

    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
