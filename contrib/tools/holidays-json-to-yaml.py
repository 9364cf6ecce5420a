#!/usr/bin/env python3
"""Turn NateScarlet/holiday-cn JSON files into ogid's calendar YAML.

ogid reads the State Council's yearly holiday notices from
rules/data/holidays-cn/YYYY.yaml (format: rules/data/README.md). Those files
were made with this script from the MIT-licensed dataset
https://github.com/NateScarlet/holiday-cn, one JSON file a year:

    {"year": 2024, "papers": ["https://www.gov.cn/..."],
     "days": [{"name": "元旦", "date": "2024-01-01", "isOffDay": true}, ...]}

Usage:

    contrib/tools/holidays-json-to-yaml.py JSON_DIR OUT_DIR [YEAR ...]

reads JSON_DIR/YEAR.json for each YEAR given (default: every NNNN.json in
JSON_DIR) and writes OUT_DIR/YEAR.yaml. Standard library only; the build never
runs it. Look over the result (git diff) before committing it: the YAML, not the
JSON, is what ogid trusts, and the loader checks what it can (real dates,
make-up days on a Saturday or Sunday, no date given twice).

One thing is dropped on purpose: the source sometimes lists a Monday-Friday date
as a working day (2020-02-03, the first day back after the extended 2020 Spring
Festival). A weekday needs no entry, and ogid refuses "work" entries that are
not Saturdays or Sundays so that a mistyped make-up day cannot pass unseen; the
script leaves such a date as a comment instead.
"""

import datetime
import json
import os
import re
import sys

WEEKDAYS = "一二三四五六日"

# Titles of the notices that amended a year's notice, by the URL the source
# gives for them. The first paper of every year is the yearly notice itself.
AMENDMENTS = {
    "http://www.gov.cn/zhengce/zhengceku/2019-03/22/content_5375877.htm":
        "国务院办公厅关于调整2019年劳动节假期安排的通知",
    "http://www.gov.cn/zhengce/zhengceku/2020-01/27/content_5472352.htm":
        "国务院办公厅关于延长2020年春节假期的通知",
}


def fail(msg):
    sys.stderr.write("holidays-json-to-yaml: %s\n" % msg)
    sys.exit(1)


def quote(s):
    """s as a YAML scalar: plain when it is all Chinese (or a plain URL), as
    the files are read by people; double-quoted otherwise (JSON's escaping is
    valid YAML)."""
    if re.fullmatch(r"[^\x00-\x7f]+", s) or re.fullmatch(r"https?://[\w./\-]+", s):
        return s
    return json.dumps(s, ensure_ascii=False)


def convert(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    year = data.get("year")
    papers = data.get("papers")
    days = data.get("days")
    if not isinstance(year, int) or not isinstance(papers, list) or not papers \
            or not isinstance(days, list):
        fail("%s: expected year, papers and days" % path)

    off, work, dropped = [], [], []
    seen = set()
    for d in days:
        try:
            date = datetime.date.fromisoformat(d["date"])
            name, is_off = d["name"], d["isOffDay"]
        except (KeyError, TypeError, ValueError) as e:
            fail("%s: bad day %r: %s" % (path, d, e))
        if date in seen:
            fail("%s: %s given twice" % (path, date))
        seen.add(date)
        entry = (date, name)
        if is_off:
            off.append(entry)
        elif date.weekday() >= 5:
            work.append(entry)
        else:
            dropped.append(entry)

    out = []
    title = "国务院办公厅关于%d年部分节假日安排的通知" % year
    out.append("# %s — source: %s" % (title, papers[0]))
    for url in papers[1:]:
        out.append("# %s — source: %s" % (AMENDMENTS.get(url, "amended by"), url))
    out.append("#")
    out.append("# Made by contrib/tools/holidays-json-to-yaml.py from %s.json of" % year)
    out.append("# NateScarlet/holiday-cn (MIT licence: ../LICENSE-holiday-cn).")
    out.append("# Format and how to add a year: ../README.md.")
    out.append("year: %d" % year)
    out.append("notices:")
    for i, url in enumerate(papers):
        t = title if i == 0 else AMENDMENTS.get(url)
        if t is None:
            fail("%s: no title known for %s; add it to AMENDMENTS" % (path, url))
        out.append("  - title: %s" % quote(t))
        out.append("    url: %s" % quote(url))

    def block(key, comment, entries):
        if not entries:
            out.append("%s: []%s" % (key, comment))
            return
        out.append("%s:%s" % (key, comment))
        for date, name in sorted(entries):
            out.append("  - {date: %s, name: %s}  # 周%s"
                       % (date.isoformat(), quote(name), WEEKDAYS[date.weekday()]))

    block("off", "   # days off: holidays, and weekend days inside a holiday block", off)
    block("work", "  # Saturdays and Sundays that are working days (调休上班)", work)
    for date, name in sorted(dropped):
        out.append("# %s (周%s, %s): a working day in the source; a weekday needs no entry."
                   % (date.isoformat(), WEEKDAYS[date.weekday()], name))
    return year, "\n".join(out) + "\n"


def main(argv):
    if len(argv) < 3:
        fail("usage: holidays-json-to-yaml.py JSON_DIR OUT_DIR [YEAR ...]")
    src, dst = argv[1], argv[2]
    years = argv[3:]
    if not years:
        years = sorted(n[:-5] for n in os.listdir(src) if re.fullmatch(r"\d{4}\.json", n))
    if not years:
        fail("%s: no YEAR.json files" % src)
    os.makedirs(dst, exist_ok=True)
    for y in years:
        year, text = convert(os.path.join(src, "%s.json" % y))
        if str(year) != y:
            fail("%s.json says year %d" % (y, year))
        with open(os.path.join(dst, "%d.yaml" % year), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % os.path.join(dst, "%d.yaml" % year))


if __name__ == "__main__":
    main(sys.argv)
