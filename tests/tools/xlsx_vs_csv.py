#!/usr/bin/python3
"""Compare a sheet of an xlsx workbook with a csv file, cell by cell.

usage: xlsx_vs_csv.py BOOK.xlsx SHEET FILE.csv [--percent] [--hard N]

Every csv cell must be in the sheet at the same place: an empty cell as an
empty cell, a number as a number equal to the bit (as doubles) to the csv's
17 digits, text as the same text.  The header is bold and frozen (A2).
--percent: the proportion rows (statistic prop, t2b, b2b, net) show their
estimate and interval with a percent format, the others without.
--hard N: at least N of the numbers need 17 digits (printf "%.16G" gives
another double), so that the comparison can fail on a 16-digit writer.
Run with Debian's python3 (python3-openpyxl).  Exit 0 when equal.
"""
import csv
import struct
import sys

import openpyxl


# the text columns of survstat's outputs (a wave "2009" or a level "1" is
# text there, as in the csv)
TEXT = {"wave", "statistic", "variable", "level", "domain", "flag", "wave_from", "wave_to",
        "quadrant", "test", "by", "rate", "column", "type", "check", "item"}


def bits(x):
    return struct.pack("<d", x)


def main():
    book, sheet, path = sys.argv[1:4]
    percent = "--percent" in sys.argv
    hard_min = int(sys.argv[sys.argv.index("--hard") + 1]) if "--hard" in sys.argv else 0
    ws = openpyxl.load_workbook(book)[sheet]
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    bad = []
    if ws.freeze_panes != "A2":
        bad.append(f"freeze panes {ws.freeze_panes}, want A2")
    got = [list(r) for r in ws.iter_rows(values_only=False)]
    if len(got) != len(rows):
        bad.append(f"{len(got)} rows in the sheet, {len(rows)} in the csv")
    hard = 0
    header = rows[0]
    # a model's statistic is its t, a number (elsewhere the statistic's name)
    text = TEXT - {"statistic"} if "term" in header else TEXT
    for i, row in enumerate(rows):
        cells = got[i] if i < len(got) else []
        width = max(len(row), len(cells))
        for j in range(width):
            want = row[j] if j < len(row) else ""
            cell = cells[j] if j < len(cells) else None
            v = cell.value if cell is not None else None
            where = f"row {i + 1} column {j + 1} ({header[j] if j < len(header) else '?'})"
            if i == 0:
                if v != want or not cell.font.b:
                    bad.append(f"{where}: header {v!r} bold={cell.font.b}, want {want!r} bold")
                continue
            if want == "":
                if v not in (None, ""):
                    bad.append(f"{where}: {v!r}, want empty")
                continue
            try:
                x = float(want)
                is_num = want.strip() == want and want not in ("Inf", "-Inf", "NaN")
            except ValueError:
                is_num = False
            if is_num and header[j] not in text:
                if not isinstance(v, (int, float)) or isinstance(v, bool):
                    bad.append(f"{where}: {v!r} is not a number, want {want}")
                elif bits(float(v)) != bits(x):
                    bad.append(f"{where}: {float(v)!r} != {x!r} (csv {want})")
                if float("%.16G" % x) != x:
                    hard += 1
                if percent and "statistic" in header and header[j] in ("estimate", "ci_low", "ci_high"):
                    stat = row[header.index("statistic")]
                    fmt = cell.number_format
                    if (stat in ("prop", "t2b", "b2b", "net")) != ("%" in fmt):
                        bad.append(f"{where}: number format {fmt!r} for a {stat} row")
            else:
                if str(v) != want:
                    bad.append(f"{where}: {v!r}, want {want!r}")
    if hard < hard_min:
        bad.append(f"only {hard} numbers need 17 digits, want {hard_min}")
    if bad:
        print("\n".join(bad[:10]))
        sys.exit(1)


main()
