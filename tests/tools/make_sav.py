#!/usr/bin/env python3
"""Writes a bytecode-compressed SPSS .sav (and the same data as CSV) for
tests/e2e/sav_halves.sh: enough rows that survstat reads it with two
ReadStat parsers, half the rows each (readstat_in.c, "two threads"), with
what makes the halves differ: one-byte columns that meet 300 or a
decimal in one half only, levels first seen in the
second half, ids above 4096, missing cells, strings.

usage: make_sav.py ROWS OUT.sav OUT.csv [truncate-bytes] [plain]

(plain: the cases not compressed, eight bytes a value)

The format is PSPP's "System File Format": a 176-byte header, variable
records (type 2), the machine integer and floating point records (type 7,
subtypes 3 and 4; code page 65001, UTF-8), the dictionary's end (999),
then the cases compressed: blocks of eight command bytes (1-251 the value
code - 100, 253 eight raw bytes follow, 254 eight blanks, 255 system
missing, 252 the end), each followed by the raw bytes it calls for."""
import struct
import sys

SYSMIS = -sys.float_info.max

# name, kind: 'n' numeric, 's' string (8 bytes)
COLUMNS = [("stratum", "n"), ("psu", "n"), ("w", "n"), ("a", "n"), ("b", "n"),
           ("c", "n"), ("d", "n"), ("e", "n"), ("f", "n"), ("s", "s"), ("t", "s")]


def cell(name, i, n):
    """Row i's value of column name (None: system missing)."""
    second = i >= n // 2
    if name == "stratum":
        return 1 + i % 7 + (3 if second and i % 5 == 0 else 0)  # 8-10: second half only
    if name == "psu":
        return cell("stratum", i, n) * 1000 + i % 13                # up to 10,012
    if name == "w":
        return 10 + (i * 37 % 100) / 10                       # one decimal: two bytes
    if name == "a":
        return 300 if second and i % 1001 == 0 else i % 5    # one byte, then two
    if name == "b":
        return 0.123456789 if second and i % 997 == 0 else i % 9  # one byte, then doubles
    if name == "e":  # the other way round: wider in the first half
        return 300 if not second and i % 1001 == 0 else i % 6
    if name == "f":
        return 0.123456789 if not second and i % 997 == 0 else (None if i % 13 == 0 else i % 9)
    if name == "c":
        return None if i % 11 == 0 else i % 4                # one byte with missing cells
    if name == "d":
        return None if second and i % 2 == 0 else 1.5 + i % 3
    if name == "s":
        base = ["north", "south", "east"][i % 3]
        return ("far " + base[:4]) if second and i % 7 == 0 else base
    if name == "t":  # numbers as text, but one word three quarters down
        return "word" if i == n * 3 // 4 else str(i % 4)
    raise KeyError(name)


def header(n, plain):
    h = b"$FL2" + b"@(#) SPSS DATA FILE - survstat tests/tools/make_sav.py".ljust(60)
    h += struct.pack("<iiiii", 2, len(COLUMNS), 0 if plain else 1, 0, n)
    h += struct.pack("<d", 100.0) + b"05 Dec 26" + b"06:00:00" + b" " * 64 + b"\0" * 3
    assert len(h) == 176
    return h


def dictionary():
    out = b""
    for name, kind in COLUMNS:
        if kind == "n":
            fmt = (5 << 16) | (8 << 8) | 2
            out += struct.pack("<iiiiii", 2, 0, 0, 0, fmt, fmt)
        else:
            fmt = (1 << 16) | (8 << 8)
            out += struct.pack("<iiiiii", 2, 8, 0, 0, fmt, fmt)
        out += name.ljust(8).encode()
    out += struct.pack("<iiii", 7, 3, 4, 8) + struct.pack("<8i", 1, 0, 0, -1, 1, 1, 2, 65001)
    out += struct.pack("<iiii", 7, 4, 8, 3)
    out += struct.pack("<ddd", SYSMIS, sys.float_info.max, -sys.float_info.max)
    out += struct.pack("<ii", 999, 0)
    return out


def data(n):
    out = bytearray()
    codes, raw = [], []

    def flush():
        out.extend(bytes(codes + [0] * (8 - len(codes))))
        for r in raw:
            out.extend(r)
        codes.clear()
        raw.clear()

    def put(code, rawbytes=None):
        codes.append(code)
        if rawbytes is not None:
            raw.append(rawbytes)
        if len(codes) == 8:
            flush()

    for i in range(n):
        for name, kind in COLUMNS:
            v = cell(name, i, n)
            if kind == "s":
                put(253, v.encode().ljust(8))
            elif v is None:
                put(255)
            elif float(v).is_integer() and -99 <= v <= 151:
                put(int(v) + 100)
            else:
                put(253, struct.pack("<d", float(v)))
    put(252)
    if codes:
        flush()
    return bytes(out)


def plain_data(n):
    out = bytearray()
    for i in range(n):
        for name, kind in COLUMNS:
            v = cell(name, i, n)
            if kind == "s":
                out.extend(v.encode().ljust(8))
            else:
                out.extend(struct.pack("<d", SYSMIS if v is None else float(v)))
    return bytes(out)


def text(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


def main():
    n = int(sys.argv[1])
    plain = len(sys.argv) > 5 and sys.argv[5] == "plain"
    blob = header(n, plain) + dictionary() + (plain_data(n) if plain else data(n))
    if len(sys.argv) > 4 and int(sys.argv[4]) > 0:
        blob = blob[: int(sys.argv[4])]
    with open(sys.argv[2], "wb") as f:
        f.write(blob)
    with open(sys.argv[3], "w") as f:
        f.write(",".join(c for c, _ in COLUMNS) + "\n")
        for i in range(n):
            f.write(",".join(text(cell(c, i, n)) for c, _ in COLUMNS) + "\n")


main()
