#!/usr/bin/python3
"""Check the wide sheet "table" of survstat table's xlsx against its csv.

usage: wide_xlsx.py BOOK.xlsx FILE.csv

The sheet holds blocks one under another: a bold title naming the
statistic ("row percentages", "weighted counts", "percent of cases" ...)
and the layer "(stype=E)", a header whose corner (the rows' variable) is
merged down the header rows, COLVAR's name merged over its levels, each
level's name merged over its sub-columns ("%" or "count", "CI low",
"CI high", and "flag" when any cell has a mark or flag), Total last; the
body rows (the total row bold); the notes.  Every number must equal the
csv's value of its row (statistic, level, domain) to the bit, in a percent
or count number format; "x" where the csv's estimate is empty (suppressed);
every csv row of the statistics shown must appear once.  Prints the count
of numbers compared.  Run with Debian's python3 (python3-openpyxl).
"""
import csv
import re
import sys

import openpyxl

STAT = [("row percentages", "pct_row"), ("column percentages", "pct_col"),
        ("cell percentages", "pct_cell"), ("weighted counts", "count"),
        ("percent of cases", "pct_cases"), ("percent of responses", "pct_responses")]


def main():
    book, path = sys.argv[1:3]
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["table", "data", "about"], wb.sheetnames
    ws = wb["table"]
    data = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    want = {(r["statistic"], r["level"], r["domain"]): r for r in data}
    merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
    rows = [list(r) for r in ws.iter_rows()]
    ncmp, seen, stats, blocks = 0, set(), set(), 0

    def val(i, j):
        return rows[i][j].value if j < len(rows[i]) else None

    i = 0
    while i < len(rows):
        t = val(i, 0)
        if not (isinstance(t, str) and rows[i][0].font.b and "confidence intervals" in t):
            i += 1
            continue
        blocks += 1
        stat = next(s for words, s in STAT if words in t)
        stats.add(stat)
        head = t.split(": ")[-2] if t.count(": ") > 1 else t.split(": ")[0]
        m = re.search(r"\(([^()]*)\)$", head)
        layer = m.group(1) if m else ""
        h0 = i + 1
        corner = merged.get((h0 + 1, 1))
        assert corner is not None, f"row {h0 + 1}: the corner is not merged"
        nhead = corner.max_row - corner.min_row + 1
        assert nhead in (2, 3), nhead
        subrow = h0 + nhead - 1
        groups = [j for j in range(1, len(rows[subrow])) if val(subrow, j) in ("%", "count")]
        sub = groups[1] - groups[0] if len(groups) > 1 else len(
            [j for j in range(1, len(rows[subrow])) if val(subrow, j)])
        assert sub in (3, 4), sub
        cols = val(h0, 1) if nhead == 3 else None
        if cols is not None:
            m = merged.get((h0 + 1, 2))
            assert m and m.max_col - m.min_col + 1 == (len(groups) - 1) * sub, \
                f"{cols} not merged over its levels"
        level_of = {}
        for j in groups:
            if nhead == 3 and j != groups[-1]:
                m = merged.get((h0 + 2, j + 1))
                assert m and m.max_col - m.min_col + 1 == sub, f"level at column {j + 1} not merged"
                level_of[j] = val(h0 + 1, j)
            else:
                assert val(h0, j) == "Total", val(h0, j)
                level_of[j] = None
            assert [val(subrow, j + k) for k in range(sub)] == \
                [val(subrow, j), "CI low", "CI high", "flag"][:sub]
        i = subrow + 1
        while i < len(rows) and val(i, 0) is not None and any(
                val(i, j) is not None for j in range(1, len(rows[i]))):
            label = val(i, 0)
            total = rows[i][0].font.b
            level = "" if total else str(label)
            for j in groups:
                dom = layer
                if level_of[j] is not None:
                    dom += (";" if dom else "") + f"{cols}={level_of[j]}"
                key = (stat, level, dom)
                assert key in want, f"no csv row {key}"
                assert key not in seen, f"twice: {key}"
                seen.add(key)
                r = want[key]
                est = val(i, j)
                if est == "x":
                    assert r["estimate"] == "", (key, r["estimate"])
                    continue
                if est == "-":
                    assert r["estimate"] in ("", "NaN"), (key, r["estimate"])
                    continue
                fmt = "0.0%" if stat != "count" else "#,##0"
                for k, col in enumerate(("estimate", "ci_low", "ci_high")):
                    v = val(i, j + k)
                    if r[col] == "":
                        assert v is None, (key, col, v)
                        continue
                    assert isinstance(v, float) or isinstance(v, int), (key, col, v)
                    assert float(r[col]) == v, (key, col, r[col], repr(v))
                    assert rows[i][j + k].number_format == fmt, rows[i][j + k].number_format
                    ncmp += 1
                if sub == 4:
                    flag = val(i, j + 3) or ""
                    exp = " ".join(x for x in (r["mark"], r["flag"]) if x)
                    if stat != "count":
                        assert flag == exp, (key, flag, exp)
            i += 1
    missing = [k for k in want if k[0] in stats and k not in seen]
    assert not missing, f"csv rows not in the sheet: {missing[:5]}"
    assert blocks > 0 and ncmp > 0
    print(blocks, "blocks", ncmp, "numbers")


if __name__ == "__main__":
    main()
