#!/usr/bin/env python3
"""Request registers end to end: the real ogid on the register fixture of
tests/fixtures/registers (README.md there gives every row and its expected
findings). Run as `register_test.py SCENARIO`:

  check     `ogid check` with the register rules on the CSV and on the XLSX:
            exactly the expected findings (code, severity, row id), the same
            for both, and `ogid parse` gives both the same register.
  bundled   `ogid check` with the bundled rules on the CSV: the same findings
            and none from a rule for reports (the engine runs a rule only on
            models of its kind).
  report    the daemon, register and report of the same agency and year in
            one spool, in either order: when they agree, no mismatch; with one
            register row changed (R10 予以公开 → 部分公开), exactly the two
            cells it moves, each an error naming both numbers, on whichever
            file came second.

Environment: OGID_BIN (the binary), OGID_SOURCE (the source tree)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("OGID_BIN", "ogid")
SRC = os.environ.get("OGID_SOURCE", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
FIXTURES = os.path.join(SRC, "tests", "fixtures", "registers")
CSV = os.path.join(FIXTURES, "tongxin-county-office-2023-register.csv")
XLSX = os.path.join(FIXTURES, "tongxin-county-office-2023-register.xlsx")
REPORT = os.path.join(FIXTURES, "tongxin-county-office-2023-report.txt")
RULES = os.path.join(SRC, "rules")

# Every finding the register must give, and no other: (code, severity, row).
EXPECTED = {
    ("REG_REPLY_LATE", "error", "R04"),       # due 2023-04-03, replied 2023-04-04
    ("REG_CORRECTION_LATE", "error", "R07"),  # correction asked on the 8th working day
    ("REG_FEE_WRONG", "error", "R11"),        # 120 pages: 1100 yuan, charged 1200
    ("REG_REPLY_OVERDUE", "warning", "R12"),  # due 2023-11-29, no reply by year end
}


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def ogid(args, cwd):
    return subprocess.run([BIN] + args, capture_output=True, text=True, cwd=cwd)


def findings_of(stdout):
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        if obj.get("event") == "finding":
            out.append(obj)
    return out


def finding_set(findings):
    return {(f["code"], f["severity"], (f.get("where") or {}).get("row")) for f in findings}


def check_register(path, cwd, rules):
    args = ["check"] + (["--rules", rules] if rules else []) + [path]
    p = ogid(args, cwd)
    check(p.returncode == 1, f"{os.path.basename(path)}: exit {p.returncode}: {p.stderr}")
    found = findings_of(p.stdout)
    got = finding_set(found)
    if got != EXPECTED:
        extra = sorted({(f["rule"], f["code"], (f.get("where") or {}).get("row"))
                        for f in found if (f["code"], f["severity"],
                                           (f.get("where") or {}).get("row")) not in EXPECTED})
        fail(f"{os.path.basename(path)}: missing {sorted(EXPECTED - got)}, unexpected {extra}")
    check(len(found) == len(got), f"{path}: a finding twice: {found}")
    for f in found:
        check(f["rule"].startswith("register."), f"not a register rule: {f}")
        check(f["agency"] == "同心县人民政府办公室" and f["year"] == 2023, f)
    late = next(f for f in found if f["code"] == "REG_REPLY_LATE")
    check(late["expected"] == "2023-04-03" and late["actual"] == "2023-04-04", late)
    fee = next(f for f in found if f["code"] == "REG_FEE_WRONG")
    check(fee["expected"] == 1100 and fee["actual"] == 1200, fee)
    return found


def scenario_check(tmp):
    a = check_register(CSV, tmp, os.path.join(RULES, "register"))
    b = check_register(XLSX, tmp, os.path.join(RULES, "register"))
    # The same messages, but for the row's line (XLSX: the sheet row; R08's
    # two-line remark is one sheet row, so later rows are one line up).
    check(sorted(f["code"] for f in a) == sorted(f["code"] for f in b), (a, b))
    models = []
    for path in (CSV, XLSX):
        p = ogid(["parse", path], tmp)
        check(p.returncode == 0, p.stderr)
        models.append(json.loads(p.stdout))
    csv_model, xlsx_model = models
    for m in models:
        check(m["kind"] == "register" and m["model"] == 1, m.get("kind"))
        check(m["notes"] == [], m["notes"])
    check(csv_model["source"]["format"] == "csv", csv_model["source"])
    check(xlsx_model["source"]["format"] == "xlsx", xlsx_model["source"])
    check(csv_model["meta"] == xlsx_model["meta"], (csv_model["meta"], xlsx_model["meta"]))
    check(csv_model["counts"] == xlsx_model["counts"], "counts differ")
    check(csv_model["counts"]["rows"] == 30, csv_model["counts"])
    for r, x in zip(csv_model["rows"], xlsx_model["rows"]):
        r, x = dict(r), dict(x)
        r.pop("line")
        x.pop("line")
        check(r == x, (r, x))


def scenario_bundled(tmp):
    check_register(CSV, tmp, None)


# ---- The daemon ----------------------------------------------------------------

def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    check(data == b"" or data.endswith(b"\n"), "the log ends in a partial line")
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


class Daemon:
    def __init__(self, spool):
        self.spool = spool
        self.log = os.path.join(spool, "findings.jsonl")
        self.proc = None

    def start(self):
        self.err = open(self.spool + ".stderr", "ab")
        self.proc = subprocess.Popen([BIN, "run", "--spool", self.spool],
                                     stdout=self.err, stderr=self.err)
        deadline = time.time() + 20
        while time.time() < deadline:
            if any(x.get("what") == "start" and x.get("pid") == self.proc.pid
                   for x in read_log(self.log)):
                return self
            if self.proc.poll() is not None:
                fail(f"daemon exited at start with {self.proc.returncode}")
            time.sleep(0.02)
        fail("daemon did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("daemon did not stop")
        self.err.close()
        return self.proc.returncode

    def drop(self, name, data):
        """Writes a temporary name, then renames into incoming/, and waits for
        the file's report line: the next file then finds it in the history."""
        tmp = os.path.join(self.spool, "incoming", "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.spool, "incoming", name))
        deadline = time.time() + 30
        while time.time() < deadline:
            for x in read_log(self.log):
                if x.get("event") == "report" and x.get("file") == name:
                    check(x["status"] == "checked", x)
                    return [f for f in read_log(self.log)
                            if f.get("event") == "finding" and f.get("file") == name]
            time.sleep(0.02)
        fail(f"no report line for {name}")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def changed_register():
    """The register with one row changed: R10 (a natural person's request,
    granted) recorded as partly granted."""
    data = read(CSV).decode("utf-8")
    old = "R10,郑某某,自然人,2023-06-01,,,,,否,,,,,,2023-06-01,予以公开,当场答复"
    check(data.count(old) == 1, "R10 not found in the fixture")
    return data.replace(old, old.replace("予以公开", "部分公开")).encode("utf-8")


def mismatches(findings):
    return sorted(((f["where"]["row"], f["where"]["column"], f["expected"], f["actual"])
                   for f in findings if f["code"] == "REG_REPORT_MISMATCH"))


def pair(tmp, name, first, second):
    spool = os.path.join(tmp, name)
    os.makedirs(os.path.join(spool, "incoming"))
    d = Daemon(spool).start()
    try:
        a = d.drop(*first)
        b = d.drop(*second)
    finally:
        check(d.stop() == 0, "daemon exit status")
    return a, b


def scenario_report(tmp):
    register = ("tongxin-county-office-2023-register.csv", read(CSV))
    changed = ("tongxin-county-office-2023-register.csv", changed_register())
    report = ("tongxin-county-office-2023-report.txt", read(REPORT))
    # R10 moves one natural person's request from 予以公开 (report: 10) to
    # 部分公开 (report: 3); the 总计 column is named only where the applicant
    # columns agree, so these two cells and no others.
    want = [("granted", "natural_person", 9, 10), ("partly_granted", "natural_person", 4, 3)]

    for order, (first, second) in (("agree-report-first", (report, register)),
                                   ("agree-register-first", (register, report))):
        a, b = pair(tmp, order, first, second)
        check(mismatches(a) == [] and mismatches(b) == [], (order, mismatches(a + b)))

    for order, (first, second) in (("changed-report-first", (report, changed)),
                                   ("changed-register-first", (changed, report))):
        a, b = pair(tmp, order, first, second)
        check(mismatches(a) == [], f"{order}: the first file has nothing to compare with")
        got = mismatches(b)
        check(got == want, f"{order}: {got}")
        for f in b:
            if f["code"] == "REG_REPORT_MISMATCH":
                check(f["severity"] == "error", f)
                check(f"为{f['expected']}件" in f["message"] and
                      f"为{f['actual']}件" in f["message"], f["message"])
                check(f["where"]["table"] == "requests", f)


def main():
    if len(sys.argv) != 2 or "scenario_" + sys.argv[1] not in globals():
        fail("usage: register_test.py check|bundled|report")
    tmp = tempfile.mkdtemp(prefix="ogid-reg-")
    try:
        globals()["scenario_" + sys.argv[1]](tmp)
    finally:
        if os.environ.get("OGID_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("ok", sys.argv[1])


if __name__ == "__main__":
    main()
