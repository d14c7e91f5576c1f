#!/usr/bin/python3
"""Compare the wide tables of an html page with survstat table's text.

usage: html_wide.py PAGE.html TABLE.txt [--tidy]

The page's tables of class "wide" come first, their body cells (the row's
label, then each column's cell) equal, row by row, the text table's cells
(the lines under each block's title and header, cells apart by two blanks
or more); COLVAR's name spans its levels.  --tidy: the page's last table
is the tidy rows (survstat table -o x.html).  Prints the counts.
"""
import re, sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cell = [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"wide": a.get("class") == "wide", "rows": [], "head": 0})
        elif tag == "thead":
            self.inhead = True
        elif tag == "tbody":
            self.inhead = False
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
            if getattr(self, "inhead", False):
                self.tables[-1]["head"] += 1
        elif tag in ("td", "th"):
            self.cell = ""
            self.span = int(a.get("colspan", 1))
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1]["rows"][-1].append((self.cell, self.span))
            self.cell = None

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
wide = [t for t in p.tables if t["wide"]]
assert wide, "no wide table"
if "--tidy" in sys.argv:
    assert not p.tables[-1]["wide"], "the tidy table last"
    assert all(t["wide"] for t in p.tables[:len(wide)]), "the wide tables first"
# the text table's body lines: the lines after each block's title and
# header, up to a blank line; cells apart by two blanks or more
want, lines = [], open(sys.argv[2], encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if "confidence intervals" in l:
        k = i + 2
        while k < len(lines) and lines[k].strip():
            want.append(re.split(r"  +", lines[k].strip()))
            k += 1
got = [[c for c, _ in r] for t in wide for r in t["rows"][t["head"]:]]
assert got == want, (got[:2], want[:2], len(got), len(want))
# COLVAR's name spans its levels
for t in wide:
    if t["head"] == 2:
        nlev = len(t["rows"][1])
        assert t["rows"][0][1][1] == nlev, (t["rows"][0], nlev)
print(len(wide), "tables", len(got), "rows")
