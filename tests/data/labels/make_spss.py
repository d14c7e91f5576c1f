#!/usr/bin/python3
"""Write the SPSS test files that haven cannot: a GBK-encoded .sav and a
portable .por, with GNU PSPP (Debian's pspp, used only here, not by
survstat or its tests).  Run from the repository root:

    python3 tests/data/labels/make_spss.py

household_gbk.sav   datasets/household.csv as datasets/household.sav holds
                    it (district and sex as codes with the Chinese value
                    labels, the answers' 9 = 不知道 user-missing, variable
                    labels), in GBK: a character encoding record "GBK" and
                    code page 936, as Chinese SPSS writes it
household_cp936.sav the same without the encoding record (SPSS before 16):
                    only the code page 936 says GBK
api.por             tests/data/labels/api.csv as a portable file: stype_code
                    labelled 1 Elementary, 2 Middle, 3 High, meals9's 9
                    user-missing (names upper case, as portable files keep
                    them)
chinese.por         two rows with Chinese text, which PSPP writes into a
                    portable file as UTF-8 bytes outside its character set
widen.sav           widen.csv: a column of small integers that meets 300,
                    then 2.5, then 100000.25 (one byte, two bytes, doubles
                    as survstat reads it), one with a --na code
The numbers are written with 17 significant digits, so they read back as the
CSV's doubles.
"""
import csv
import os
import struct
import subprocess
import tempfile

OUT = "tests/data/labels"
ANSWERS = ["overall", "purpose", "practical", "responsibility", "frugality", "discipline",
           "efficiency"]
SCALE = [(1, "很不满意"), (2, "不太满意"), (3, "一般"), (4, "比较满意"), (5, "很满意"), (9, "不知道")]
VARLAB = {"district": "区市", "weight": "抽样权数", "sex": "性别", "age_group": "年龄组",
          "overall": "总体满意度", "purpose": "宗旨意识", "practical": "求真务实",
          "responsibility": "责任意识", "frugality": "艰苦奋斗", "discipline": "遵纪守法",
          "efficiency": "工作效率"}
DISTRICTS = ["市南区", "市北区", "四方区", "李沧区", "崂山区", "城阳区", "黄岛区", "胶州市",
             "即墨市", "平度市", "莱西市", "胶南市"]
SEXES = ["男", "女"]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def pspp(syntax, tmp):
    path = os.path.join(tmp, "make.sps")
    with open(path, "w", encoding="utf-8") as f:
        f.write(syntax)
    subprocess.run(["pspp", "-O", "format=txt", "-o", os.path.join(tmp, "log.txt"), path],
                   check=True)


def household(tmp):
    rows = list(csv.DictReader(open("datasets/household.csv", encoding="utf-8")))
    data = os.path.join(tmp, "hh.txt")
    with open(data, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(",".join([
                str(DISTRICTS.index(r["district"]) + 1), r["community"], r["hh_id"], r["fpc1"],
                r["fpc2"], r["weight"], str(SEXES.index(r["sex"]) + 1), r["age_group"]] +
                [r[a] for a in ANSWERS]) + "\n")
    labels = "VALUE LABELS district " + " ".join(
        f"{i + 1} {q(d)}" for i, d in enumerate(DISTRICTS))
    labels += " /sex 1 '男' 2 '女'"
    labels += " /" + " ".join(ANSWERS) + " " + " ".join(f"{c} {q(t)}" for c, t in SCALE)
    syntax = f"""SET LOCALE='GBK'.
DATA LIST LIST (',') FILE={q(data)} ENCODING='UTF-8'
  /district (F2) community (A24) hh_id (F6) fpc1 (F4) fpc2 (F5) weight (F17.8) sex (F1)
   age_group (A8) {" ".join(ANSWERS)} (F1).
VARIABLE LABELS {" /".join(f"{v} {q(t)}" for v, t in VARLAB.items())}.
{labels}.
MISSING VALUES {" ".join(ANSWERS)} (9).
SAVE OUTFILE={q(os.path.join(OUT, "household_gbk.sav"))} /COMPRESSED.
"""
    pspp(syntax, tmp)
    # the same without the character encoding record (subtype 20)
    b = bytearray(open(os.path.join(OUT, "household_gbk.sav"), "rb").read())
    at = b.find(struct.pack("<iii", 7, 20, 1))
    assert at > 0
    n = struct.unpack("<i", b[at + 12:at + 16])[0]
    assert b[at + 16:at + 16 + n] == b"GBK"
    del b[at:at + 16 + n]
    open(os.path.join(OUT, "household_cp936.sav"), "wb").write(bytes(b))


def api_por(tmp):
    data = os.path.join(tmp, "api.txt")
    with open(data, "w", encoding="utf-8") as f:
        for r in list(csv.reader(open(os.path.join(OUT, "api.csv"), encoding="utf-8")))[1:]:
            f.write(",".join(r) + "\n")
    syntax = f"""DATA LIST LIST (',') FILE={q(data)}
  /snum (F8) stype (A1) api00 (F8) api99 (F8) enroll (F8) meals (F8) pw (F10.4)
   fpc (F8) meals9 (F8) stype_code (F1).
VARIABLE LABELS stype_code 'School type' /meals9 'Meals, 9 = no answer'.
VALUE LABELS stype_code 1 'Elementary' 2 'Middle' 3 'High' /meals9 9 'no answer'.
MISSING VALUES meals9 (9).
EXPORT OUTFILE={q(os.path.join(OUT, "api.por"))}.
"""
    pspp(syntax, tmp)


def chinese_por(tmp):
    syntax = f"""DATA LIST LIST /district (F2) name (A12).
BEGIN DATA
1 "市南区"
2 "崂山区"
END DATA.
VALUE LABELS district 1 '市南区' 2 '崂山区'.
EXPORT OUTFILE={q(os.path.join(OUT, "chinese.por"))}.
"""
    pspp(syntax, tmp)


def widen_sav(tmp):
    with open(os.path.join(OUT, "widen.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    data = "\n".join(" ".join(c if c else "." for c in r) for r in rows)
    syntax = f"""DATA LIST LIST /a (F10.2) b (F3) w (F2).
BEGIN DATA
{data}
END DATA.
SAVE OUTFILE={q(os.path.join(OUT, "widen.sav"))}.
"""
    pspp(syntax, tmp)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        household(tmp)
        api_por(tmp)
        chinese_por(tmp)
        widen_sav(tmp)


if __name__ == "__main__":
    main()
