#!/usr/bin/env python3
"""Every cell of tables 三 and 四 of the seed report is checked by some rule.

The seed (tests/fixtures/reports/tongxin-county-office-2023.txt) is consistent
and has one table cell per line. For each cell of table 三 (25 rows x 7
columns) and table 四 (3 groups x 5 results) this writes a copy of the seed
with that one number changed, checks all the copies with the real `ogid
check` and the bundled rules, and asserts that each copy gets an error
finding whose `where` names the changed cell's row or column — and that the
unchanged seed gets no error at all.

The cells' lines are found from the model `ogid parse` gives: table 三's
numbers are the only all-digit lines between its heading and table 四's, row
after row in model order, seven a row; table 四's fifteen follow its heading.
The script checks that the numbers on those lines are the model's, so a change
in the seed or the recogniser fails loudly instead of testing the wrong cell.

Environment: OGID_BIN (the ogid binary), OGID_SOURCE (the source tree).
Exit 0 when every cell is caught; prints 'N passed, N failed'.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

OGID = os.environ.get("OGID_BIN", "ogid")
SOURCE = os.environ.get("OGID_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = os.path.join(SOURCE, "tests", "fixtures", "reports", "tongxin-county-office-2023.txt")
RULES = os.environ.get("OGID_RULES", os.path.join(SOURCE, "rules"))

COLUMNS = ["natural_person", "commercial", "research", "social_welfare",
           "legal_services", "other_org", "total"]
ROWS_2021 = [
    "new", "carried_over", "granted", "partly_granted",
    "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
    "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
    "withheld.enforcement_files", "withheld.inquiry_matters",
    "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
    "declined.complaint", "declined.duplicate", "declined.publication",
    "declined.excessive", "declined.confirmation",
    "other.no_correction", "other.unpaid_fee", "other.misc",
    "total", "carried_forward",
]
GROUPS = ["review", "litigation_direct", "litigation_after_review"]
RESULTS = ["upheld", "corrected", "other", "pending", "total"]

NUMBER = re.compile(r"^\s*\d+\s*$")


def run(args, cwd):
    return subprocess.run([OGID] + args, capture_output=True, text=True, cwd=cwd)


def locate(lines, model):
    """Returns [(line_index, table, row, column, value)] for every cell."""
    t3 = next(i for i, l in enumerate(lines) if l.strip().startswith("三、收到和处理"))
    t4 = next(i for i, l in enumerate(lines)
              if i > t3 and re.match(r"^\s*四、.*(复议|诉讼)", l))
    t5 = next(i for i, l in enumerate(lines) if i > t4 and l.strip().startswith("五、"))
    nums3 = [i for i in range(t3, t4) if NUMBER.match(lines[i])]
    nums4 = [i for i in range(t4, t5) if NUMBER.match(lines[i])]
    rows = model["requests"]["rows"]
    cells = []
    for r, key in enumerate(ROWS_2021):
        for c, col in enumerate(COLUMNS):
            cells.append(("requests", key, col, rows[key][c]))
    for g in GROUPS:
        for res in RESULTS:
            cells.append(("appeals", g, res, model["appeals"][g][res]))
    lines_of = nums3 + nums4
    if len(lines_of) != len(cells):
        raise SystemExit("seed layout changed: %d number lines for %d cells"
                         % (len(lines_of), len(cells)))
    out = []
    for i, (tbl, row, col, value) in zip(lines_of, cells):
        if int(lines[i].strip()) != value:
            raise SystemExit("seed line %d is %r but the model's %s %s %s is %r"
                             % (i + 1, lines[i].strip(), tbl, row, col, value))
        out.append((i, tbl, row, col, value))
    return out


def main():
    work = tempfile.mkdtemp(prefix="ogid-every-cell-")
    parsed = run(["parse", SEED], work)
    if parsed.returncode != 0:
        print(parsed.stderr)
        print("0 passed, 1 failed")
        return 1
    model = json.loads(parsed.stdout)
    with open(SEED, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cells = locate(lines, model)

    files = {}
    for n, (i, tbl, row, col, value) in enumerate(cells):
        changed = list(lines)
        changed[i] = lines[i].replace(str(value), str(value + 1), 1)
        name = "cell-%03d.txt" % n
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write("\n".join(changed))
        files[name] = (tbl, row, col, value)

    names = sorted(files)
    res = run(["check", "--rules", RULES, os.path.join(SEED)] +
              [os.path.join(work, n) for n in names], work)
    if res.returncode == 2:
        print(res.stderr)
        print("0 passed, 1 failed")
        return 1
    errors = {}
    for line in res.stdout.splitlines():
        obj = json.loads(line)
        if obj.get("event") == "finding" and obj.get("severity") == "error":
            errors.setdefault(obj.get("file"), []).append(obj)

    passed = failed = 0
    seed_errors = errors.get(os.path.basename(SEED), [])
    if seed_errors:
        failed += 1
        print("FAIL seed: errors on the unchanged seed: %s"
              % [(e["code"], e["message"]) for e in seed_errors])
    else:
        passed += 1
    for name in names:
        tbl, row, col, value = files[name]
        hit = [e for e in errors.get(name, [])
               if (e.get("where") or {}).get("table") == tbl and
               ((e.get("where") or {}).get("row") == row or
                (e.get("where") or {}).get("column") == col)]
        if hit:
            passed += 1
        else:
            failed += 1
            print("FAIL %s %s.%s (%s -> %s): no error naming the row or column; got %s"
                  % (name, row, col, value, value + 1,
                     [(e["code"], e.get("where")) for e in errors.get(name, [])]))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
