#!/usr/bin/env python3
r"""Writes the seeds of tests/fuzz/corpus that are derived from the real
reports of tests/fixtures (the hand-made seeds beside them are kept as they
are). Run it again when the fixtures change:

    python3 tests/fuzz/make-seeds.py

- corpus/fuzz_recognise/<report>.grid.txt: each HTML report in the markup of
  fuzz_recognise.c: its tables as '|' rows (a cell "@" + one byte carries
  rowspan 1 + (byte & 7) and colspan 1 + ((byte >> 3) & 7), so only spans up
  to 8 are written; bigger ones are clamped), its other text one paragraph
  a line.
- corpus/fuzz_format_docx/<report>.xml: the main document part of each .docx,
  stripped of run, paragraph and table properties (only w:gridSpan and
  w:vMerge are kept), so that the real structure is a seed small enough to
  mutate. fuzz_format_docx.c packs inputs not starting with "PK" into a zip.
- dict/fuzz_recognise.dict: the labels, variants, key words and signatures
  of rules/forms/*.yaml, with headings, meta words and the markup, escaped as
  libFuzzer wants (\xNN for every byte outside printable ASCII).

Standard library only."""

import html.parser
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
FORMS = os.path.join(HERE, "..", "..", "rules", "forms")

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "section",
         "article", "tr", "table", "ul", "ol", "blockquote", "pre", "hr"}
DROP = {"script", "style", "noscript", "head", "title", "select", "button"}


class Grid(html.parser.HTMLParser):
    """Paragraphs and '|' tables, innermost table wins."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []
        self.text = []
        self.tables = []  # stack of [rows], each row [cells]
        self.cell = None
        self.drop = 0

    def flush(self):
        t = " ".join("".join(self.text).split())
        self.text = []
        if t and "|" not in t:
            self.lines.append(t)

    def handle_starttag(self, tag, attrs):
        if tag in DROP:
            self.drop += 1
            return
        a = dict(attrs)
        if tag == "table":
            self.end_cell()
            self.flush()
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.end_cell()
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.end_cell()
            if not self.tables[-1]:
                self.tables[-1].append([])

            def span(name):
                try:
                    return max(1, min(8, int(a.get(name) or 1)))
                except ValueError:
                    return 1
            self.cell = [span("rowspan"), span("colspan"), []]
        elif tag in BLOCK and self.cell is None:
            self.flush()

    def end_cell(self):
        if self.cell is None or not self.tables or not self.tables[-1]:
            self.cell = None
            return
        rs, cs, parts = self.cell
        t = " ".join("".join(parts).split()).replace("|", "/")
        if rs > 1 or cs > 1:
            t = "@" + chr(0x40 | ((cs - 1) << 3) | (rs - 1)) + t
        self.tables[-1][-1].append(t)
        self.cell = None

    def handle_endtag(self, tag):
        if tag in DROP:
            self.drop = max(0, self.drop - 1)
            return
        if tag in ("td", "th"):
            self.end_cell()
        elif tag == "table" and self.tables:
            self.end_cell()
            rows = self.tables.pop()
            for r in rows:
                if r:
                    self.lines.append("|" + "|".join(r) + "|")
            self.lines.append("")
        elif tag in BLOCK and self.cell is None:
            self.flush()

    def handle_data(self, data):
        if self.drop:
            return
        if self.cell is not None:
            self.cell[2].append(data)
        else:
            self.text.append(data)


def grid_seed(path):
    p = Grid()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    p.close()
    p.flush()
    out, blank = [], False
    for line in p.lines:
        if line == "" and blank:
            continue
        blank = line == ""
        out.append(line)
    return "\n".join(out).strip() + "\n"


def docx_seed(path):
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    for tag in ("w:pPr", "w:rPr", "w:tblPr", "w:tblGrid", "w:trPr", "w:sectPr"):
        xml = re.sub(r"<%s\b[^>]*/>" % tag, "", xml)
        xml = re.sub(r"<%s\b[^>]*>.*?</%s>" % (tag, tag), "", xml, flags=re.S)

    def keep_merges(m):
        inner = "".join(re.findall(r"<w:(?:gridSpan|vMerge)\b[^>]*/>", m.group(1)))
        return "<w:tcPr>%s</w:tcPr>" % inner if inner else ""
    xml = re.sub(r"<w:tcPr>(.*?)</w:tcPr>", keep_merges, xml, flags=re.S)
    xml = re.sub(r"<w:r><w:t>([^<]*)</w:t></w:r><w:r><w:t>", r"<w:r><w:t>\1", xml)
    return xml


def dict_entry(text):
    out = ""
    for b in text.encode("utf-8"):
        out += chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02X" % b
    return '"%s"' % out


def recognise_dict():
    """The words of the form files, read line by line (no YAML library)."""
    words = set()
    for name in sorted(os.listdir(FORMS)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(FORMS, name), encoding="utf-8") as f:
            for line in f:
                line = line.split(" #")[0].rstrip()
                m = re.match(r"^\s*(?:- )?(?:label|title): *(.+)$", line)
                if m:
                    words.add(m.group(1).strip().strip('"'))
                    continue
                m = re.match(r"^\s*(?:variants|keywords|headers): *\[(.*)\]$", line)
                if m:
                    words.update(w.strip().strip('"') for w in m.group(1).split(","))
                    continue
                m = re.match(r"^\s*- (?![a-z_]+: )(.+)$", line)
                if m:
                    words.add(m.group(1).strip().strip('"'))
    words.update(["一、", "二、", "三、", "四、", "五、", "六、", "(一)", "(二)", "(三)",
                  "(四)", "(五)", "(六)", "(七)", "1.", "2.", "年", "月", "日", "发布日期:",
                  "成文日期:", "统计期限", "政府信息公开工作年度报告", "人民政府办公室", "至",
                  "总计", "合计", "无", "/", "-", "—", "0", "1", "10", "2023", "2024-01-22",
                  "万元", "0.5", "|", "||", "|@", "\n|", "|\n", "\n"])
    lines = ["# fuzz_recognise: the words of rules/forms/*.yaml, headings, meta words",
             "# and the markup of fuzz_recognise.c. Written by make-seeds.py."]
    lines += ["w%d=%s" % (i, dict_entry(w)) for i, w in enumerate(sorted(w for w in words if w))]
    return "\n".join(lines) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("%s: %d bytes" % (os.path.relpath(path, HERE), len(text.encode("utf-8"))))


def main():
    reports = os.path.join(FIXTURES, "reports")
    variants = os.path.join(FIXTURES, "variants")
    out = os.path.join(HERE, "corpus", "fuzz_recognise")
    os.makedirs(out, exist_ok=True)
    for d in (reports, variants):
        for name in sorted(os.listdir(d)):
            if name.endswith(".html"):
                base = name[:-5] + (".variant" if d == variants else "")
                write(os.path.join(out, base + ".grid.txt"), grid_seed(os.path.join(d, name)))
    out = os.path.join(HERE, "corpus", "fuzz_format_docx")
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(reports)):
        if name.endswith(".docx"):
            write(os.path.join(out, name[:-5] + ".xml"), docx_seed(os.path.join(reports, name)))
    os.makedirs(os.path.join(HERE, "dict"), exist_ok=True)
    write(os.path.join(HERE, "dict", "fuzz_recognise.dict"), recognise_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
