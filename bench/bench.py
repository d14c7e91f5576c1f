#!/usr/bin/env python3
"""survstat against R's survey package 4.5, side by side (`make bench`).

Not a test: it prints a table of times and ratios (case, survstat, R, ratio,
target, met) and exits 0 whether or not a target is met (non-zero only when
a program fails); survstat's estimates and SEs are checked against R's to
1e-9 and a note says where they differ or where R is not run.

Every R case runs under R's survey 4.5 (its variance in C++), from the
library BENCH_RLIB (`make bench` installs it there from
../shared/reference/survey_4.5.tar.gz; default build/R-4.5); Debian's survey
4.1, which `make refs` uses, is named too.  R's side always reads the file
with data.table::fread and survstat's always reads it: both are timed as
whole processes, start-up included.  The two sides run alternately, so both
see the same load; wall time is what is compared, CPU time (user + system,
all threads) is printed in the notes.

Files: generated once into bench/data/ (made again when the generator is
newer), by bench/gen.c (stratum, psu, w, region, sat, q1..q10), by
bench/gen_people.c (a two-stage person file: households in PSUs, weights
with eight decimals, missing cells, quoted text), and by bench/gen_acs.c
(an ACS PUMS-shaped person file with 80 replicate weights).

 1. Taylor pipeline, 200,000 rows, 50 strata x 10 PSUs: ten means; q1 and
    the proportions of sat (5 levels) by region (20 domains), as two
    separate `survstat estimate` calls (each reading the file; `--by`
    applies to every estimate of a call) against one R session (fread,
    svymean, two svyby): at least 75x.  The same as one `survstat run
    bench/taylor.ini` (the file read once) is a second row.
 2. 200 bootstrap replicates, ten means, 50,000 rows (R:
    as.svrepdesign(type = "bootstrap")): at least 200x; the SEs depend on
    the random replicates, so only the estimates are compared.
 3. 10,000,000 rows (about 480 MB, 16 columns, gen's realistic format:
    weights with three decimals, 2% empty cells, a quoted text with commas
    in 1 row of 100): ten means and the proportions of sat in one call,
    against a bare libcsv parse of the same file (bench/csvparse.c): at most
    1.5x; survstat's peak resident memory under 0.6 GB.
    BENCH_BIG=0 skips it.
 4. The ACS shape: 1,000,000 rows with 80 supplied successive-difference
    replicate weights (build/bench/gen_acs ROWS SEED): the mean of PINCP by
    ST (50 states), the proportions of ESR (6 levels), the totals of the
    levels of SEX, as two `survstat estimate --weights PWGTP --repweights
    'PWGTP[0-9]+' --rep-type acs` calls against R's svrepdesign(type =
    "successive-difference", mse = TRUE): at least 25x, survstat's peak
    memory under 0.6 GB.  Skipped (saying why) without bench/gen_acs.c or
    without --rep-type acs.
 5. One mean (income) by 5,000 domains (district) on 1,000,000 rows of
    gen_people against the same mean without domains: at most 2x.  R is
    not run (svyby over 5,000 domains of a million rows takes hours).
 6. The table and model cases on the same 1,000,000 rows (design: strata
    stratum, PSUs psu, households hh): `survstat table --rows area --cols
    answer --mark total` (10 x 12 cells) under 1 s, its row percentages and
    SEs checked against R's svyby (R's time printed for scale); and a
    logistic `survstat model` with 10 coefficients (employed ~ age + sex +
    factor(edu) + hhsize + urban + income) against R's svyglm: at least
    50x, survstat's peak memory under 1 GB.
 7. 2,000 JKn replicates (200 strata x 10 PSUs), ten means, 100,000 rows
    (R: as.svrepdesign(type = "JKn")): seconds.
 8. The same 2,000 JKn replicates raked to two margins (region, 20 levels,
    and sat, 5 levels; bench/data/rake_margins.csv, written by bench.py),
    every replicate raked again, ten means (R: calibrate(calfun =
    "raking") on the replicate design).  R takes many minutes here:
    BENCH_RAKE_R=0 skips R's side of this case.
 9. Reading SPSS: 1,000,000 rows x 20 columns (gen's 15 and five more) as a
    .sav (written by R's haven, bench/data/sav_1m.sav) against the same data
    as CSV (data.table's fwrite): fifteen means and the proportions of sat
    by region; the .sav at most 1.5x the CSV's time (same estimates).
10. The proportions of 2,000 levels on about 200,000 rows (30 strata, about
    2,000 PSUs, a household stage with fpc, weights with 12 decimals, 3%
    missing; tests/data/gen_levels.py 2000 10 6) against survstat's own
    block path (SURVSTAT_PROP_LEVELS=100000: levels x rows, what survstat
    did before), and the same with 20 levels (where survstat keeps the
    block path); the two must agree to 1e-12.  R is not run: its svymean
    of a 2,000-level factor builds a 200,000 x 2,000 model matrix.

Times are wall-clock (time.perf_counter) around whole processes, best of 3
where both sides take seconds at most (BENCH_REPS=N changes it), one run of
R where it takes minutes.  BENCH_CASES=1,3 runs only those cases.  Peak
memory is the child's ru_maxrss from wait4, the figure /usr/bin/time -v
prints as "Maximum resident set size".
"""

import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
SURVSTAT = os.environ.get("SURVSTAT", os.path.join(ROOT, "survstat"))
GEN = os.path.join(ROOT, "build", "bench", "gen")
GEN_PEOPLE = os.path.join(ROOT, "build", "bench", "gen_people")
GEN_ACS = os.path.join(ROOT, "build", "bench", "gen_acs")
CSVPARSE = os.path.join(ROOT, "build", "bench", "csvparse")
RSCRIPT_FILE = os.path.join(ROOT, "bench", "bench.R")
# R's survey 4.5: every R case runs with R_LIBS pointing here.
RLIB = os.environ.get("BENCH_RLIB") or os.path.join(ROOT, "build", "R-4.5")
R_ENV = {"R_LIBS": RLIB}

DESIGN = ["--strata", "stratum", "--ids", "psu", "--weights", "w"]
PEOPLE_DESIGN = ["--strata", "stratum", "--ids", "psu,hh", "--weights", "w"]
ACS_DESIGN = ["--weights", "PWGTP", "--repweights", "PWGTP[0-9]+", "--rep-type", "acs"]
MODEL = "employed ~ age + sex + factor(edu) + hhsize + urban + income"
ITEMS = ",".join("q%d" % k for k in range(1, 11))
REPS = int(os.environ.get("BENCH_REPS", "3"))
CASES = {int(c) for c in os.environ.get("BENCH_CASES", "1,2,3,4,5,6,7,8,9,10").split(",")
         if c.strip()}


class Run:
    def __init__(self, seconds, maxrss_kb, out, err, cpu=0.0):
        self.seconds, self.maxrss_kb, self.out, self.err = seconds, maxrss_kb, out, err
        self.cpu = cpu  # user + system seconds of the child (both threads)


def run(cmd, env=None):
    """Run cmd once (env: variables added to the environment); its wall
    time, peak RSS (KB), stdout and stderr."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=ROOT,
                             env=dict(os.environ, **env) if env else None)
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(), fe.read().decode()
    if p.returncode != 0:
        sys.stderr.write("bench: %s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, err))
        sys.exit(1)
    return Run(t1 - t0, ru.ru_maxrss, out, err, ru.ru_utime + ru.ru_stime)


def best(cmds, reps):
    """Best of reps runs of the command sequence cmds (their times summed)."""
    runs = None
    for _ in range(reps):
        rs = [run(c) for c in cmds]
        if runs is None or sum(r.seconds for r in rs) < sum(r.seconds for r in runs):
            runs = rs
    return runs


def rscript(what, path, *extra):
    return ["Rscript", RSCRIPT_FILE, what, path] + list(extra)


def side_by_side(cmds, rcmd, reps, rreps=None):
    """survstat's command sequence cmds and R's command rcmd, alternately:
    reps runs of cmds, rreps (default reps) of rcmd, R's runs spread among
    survstat's.  The best of each: (runs of cmds, run of rcmd or None)."""
    rreps = reps if rreps is None else rreps
    ours = theirs = None
    for k in range(max(reps, rreps)):
        if k < reps:
            rs = [run(c) for c in cmds]
            if ours is None or total(rs) < total(ours):
                ours = rs
        if rcmd and k < rreps:
            r = run(rcmd, R_ENV)
            if theirs is None or r.seconds < theirs.seconds:
                theirs = r
    return ours, theirs


def total(runs, what="seconds"):
    return sum(getattr(r, what) for r in runs)


def fresh(path, generator):
    return os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(generator)


def make_file(path, cmd):
    """Run the generator cmd (its last argument or stdout: path) once."""
    os.makedirs(DATA, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    print("generated %s (%.0f MB) in %.1f s" %
          (os.path.relpath(path, ROOT), os.path.getsize(path) / 1e6,
           time.perf_counter() - t0), flush=True)
    return path


def data_file(name, rows, strata, psus, seed, fmt=None):
    """bench/data/NAME.csv from gen (fmt: gen's FORMAT argument), made when
    missing or older than gen."""
    path = os.path.join(DATA, "%s.csv" % name)
    if not fresh(path, GEN):
        make_file(path, [GEN, str(rows), str(strata), str(psus), str(seed), path] +
                  ([fmt] if fmt else []))
    return path


def people_file(rows, seed):
    """bench/data/people_ROWS.csv from gen_people (cases 5 and 6)."""
    path = os.path.join(DATA, "people_%d.csv" % rows)
    if not fresh(path, GEN_PEOPLE):
        make_file(path, [GEN_PEOPLE, str(rows), str(seed), path])
    return path


def acs_file(rows, seed):
    """bench/data/acs_ROWS.csv from gen_acs (writes CSV to stdout)."""
    path = os.path.join(DATA, "acs_%d.csv" % rows)
    if not fresh(path, GEN_ACS):
        os.makedirs(DATA, exist_ok=True)
        with open(path + ".tmp", "w") as f:
            t0 = time.perf_counter()
            subprocess.run([GEN_ACS, str(rows), str(seed)], stdout=f, check=True)
        os.rename(path + ".tmp", path)
        print("generated %s (%.0f MB) in %.1f s" %
              (os.path.relpath(path, ROOT), os.path.getsize(path) / 1e6,
               time.perf_counter() - t0), flush=True)
    return path


def rake_margins(path):
    """Margins for case 8: 10,000,000 people, region r1..r20 at 95% to 105% of
    an even share, sat 1..5 at 5/10/20/40/25% (the file's own shares are near)."""
    n = 10000000
    lines = ["variable,level,total"]
    lines += ["region,r%d,%.0f" % (k, n / 20 * (1 + 0.05 * ((k % 5) - 2))) for k in range(1, 21)]
    lines += ["sat,%s,%.0f" % (lev, n * s) for lev, s in zip("12345", (0.05, 0.10, 0.20, 0.40, 0.25))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


R_PROBE = ('ok <- sapply(c("survey", "data.table"), requireNamespace, quietly = TRUE); '
           'if (!all(ok)) { cat(names(ok)[!ok], "\\n"); quit(status = 3) }; '
           'cat(R.version$major, ".", R.version$minor, " ", '
           'format(packageVersion("survey")), " ", '
           'format(packageVersion("data.table")), "\\n", sep = "")')


def r_status():
    """(None, description) when Rscript, data.table and survey 4.5 (in
    RLIB) are there, else (why, None).  The description names R, survey
    4.5, Debian's survey (the one `make refs` uses) and data.table."""
    try:
        p = subprocess.run(["Rscript", "-e", R_PROBE], capture_output=True, text=True,
                           env=dict(os.environ, **R_ENV))
        q = subprocess.run(["Rscript", "-e", R_PROBE], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != "R_LIBS"})
    except FileNotFoundError:
        return "Rscript not found", None
    if p.returncode == 3:
        return "R package(s) missing: %s" % p.stdout.strip(), None
    if p.returncode != 0:
        return "Rscript failed: %s" % p.stderr.strip(), None
    rver, survey, dt = p.stdout.split()
    if tuple(int(x) for x in survey.split(".")[:2]) < (4, 5):
        return ("survey %s in R_LIBS=%s, not 4.5: `make bench` installs it "
                "(or BENCH_RLIB=DIR)" % (survey, RLIB)), None
    system = q.stdout.split()[1] if q.returncode == 0 else "none"
    return None, ("R %s, survey %s (%s; Debian's, for make refs: %s), data.table %s" %
                  (rver, survey, RLIB, system, dt))


def parse_csv_rows(text, estimate_col="estimate", se_col="se"):
    """{(statistic, variable, level, domain): (estimate, se)} from csv text
    (survstat model's rows: ("coef", the outcome, the term, ""))."""
    import csv
    import io
    res = {}
    for row in csv.DictReader(io.StringIO(text)):
        if "term" in row:  # survstat model: the coefficients
            if not row.get("term"):
                continue
            key = ("coef", "employed", row["term"], "")
        else:
            key = (row["statistic"], row["variable"], row["level"], row["domain"])
        res[key] = (float(row[estimate_col]), float(row[se_col]) if row[se_col] else float("nan"))
    return res


def agree(ours, theirs, with_se, tol=1e-9, subset=False):
    """(rows compared, None) or (rows, what differs): survstat against R.
    subset: R gives only some of survstat's rows (every one of R's must be
    there)."""
    if subset:
        missing = set(theirs) - set(ours)
        if missing:
            return len(theirs), "rows R has and survstat not: %s" % sorted(missing)[:3]
    elif set(ours) != set(theirs):
        return len(theirs), "different rows: %s" % sorted(set(ours) ^ set(theirs))[:3]
    for key, (e, s) in theirs.items():
        pairs = [("estimate", ours[key][0], e)] + ([("se", ours[key][1], s)] if with_se else [])
        for what, a, b in pairs:
            if abs(a - b) > tol * max(abs(a), abs(b), 1e-300):
                return len(theirs), "%s of %s: survstat %r, R %r" % (what, "/".join(key), a, b)
    return len(theirs), None


def insession(err):
    m = re.search(r"R_INSESSION ([0-9.]+)", err)
    return float(m.group(1)) if m else float("nan")


def survstat_help(cmd):
    p = subprocess.run([SURVSTAT, cmd, "--help"], capture_output=True, text=True)
    return p.stdout + p.stderr


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown cpu"


def levels_file(nlev):
    """bench/data/levels_NLEV.csv from tests/data/gen_levels.py, made once."""
    path = os.path.join(DATA, "levels_%d.csv" % nlev)
    gen = os.path.join(ROOT, "tests", "data", "gen_levels.py")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(gen):
        os.makedirs(DATA, exist_ok=True)
        with open(path + ".tmp", "w") as f:
            subprocess.run([sys.executable, gen, str(nlev), "10", "6"], stdout=f, check=True)
        os.rename(path + ".tmp", path)
    return path


def levels_case(row, notes):
    design = ["--strata", "st2", "--ids", "psu,hh", "--fpc", "fpc1,fpc2", "--weights", "w",
              "--nest"]
    for nlev in (2000, 20):
        f = levels_file(nlev)
        cmd = [SURVSTAT, "estimate", f] + design + ["--prop", "y", "--format", "csv", "--quiet"]
        one = min((run(cmd, {"SURVSTAT_PROP_LEVELS": "1"}) for _ in range(REPS)),
                  key=lambda r: r.seconds)
        blocks = min((run(cmd, {"SURVSTAT_PROP_LEVELS": "100000"}) for _ in range(REPS)),
                     key=lambda r: r.seconds)
        worst = 0.0
        for a, b in zip(one.out.splitlines()[1:], blocks.out.splitlines()[1:]):
            for x, y in zip(a.split(","), b.split(",")):
                if x != y:
                    try:
                        worst = max(worst, abs(float(x) - float(y)) / max(abs(float(y)), 1e-300))
                    except ValueError:
                        worst = float("inf")
        ratio = blocks.seconds / one.seconds
        with open(f) as fh:
            rows = sum(1 for _ in fh) - 1
        label = "10 --prop %d levels, %dk rows" % (nlev, rows // 1000)
        if nlev == 2000:
            row(label, "%.3f" % one.seconds, "blocks %.3f" % blocks.seconds, "%.1fx" % ratio,
                ">= 5x", "met" if ratio >= 5 and worst <= 1e-12 else "not met")
        else:
            row(label, "%.3f (forced)" % one.seconds, "blocks %.3f" % blocks.seconds,
                "%.2fx" % ratio, "no slower", "-")
        notes.append("10: %d levels: one pass and blocks agree to %.1e relative; CPU %.2f s "
                     "against %.2f s; peak RSS %.0f MB against %.0f MB"
                     % (nlev, worst, one.cpu, blocks.cpu, one.maxrss_kb / 1024,
                        blocks.maxrss_kb / 1024))


def check_note(case, n, diff, what="estimates and SEs"):
    return "%s: " % case + (("WARNING survstat and R differ: " + diff) if diff else
                            "%d %s agree with R to 1e-9" % (n, what))


def cpu_note(case, ours, r):
    """The CPU seconds of both sides (survstat's threads summed) and peak RSS."""
    return ("%s: CPU s survstat %.3f, R %.3f (%.1fx); R %.3f s after loading its packages; "
            "peak RSS survstat %.0f MB, R %.0f MB" %
            (case, total(ours, "cpu"), r.cpu, r.cpu / max(total(ours, "cpu"), 1e-9),
             insession(r.err), max(x.maxrss_kb for x in ours) / 1024, r.maxrss_kb / 1024))


def main():
    why_no_r, versions = r_status()
    print("survstat bench %s: %s, %d cpus, load average %.1f; %s" %
          (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cpu_name(), os.cpu_count() or 0,
           os.getloadavg()[0], versions or "R skipped: " + why_no_r), flush=True)
    replicate = "--replicate" in survstat_help("estimate")
    big = os.environ.get("BENCH_BIG", "1") != "0"
    table, notes = [], []

    def row(case, ours, other, ratio, target, met):
        table.append((case, ours, other, ratio, target, met))

    def versus(label, ours, r, target, minimum, diff):
        """A row of survstat (runs ours) against R (run r): wall ratio."""
        ratio = r.seconds / total(ours)
        row(label, "%.3f" % total(ours), "%.3f" % r.seconds, "%.1fx" % ratio, target,
            ("met" if ratio >= minimum else "not met") + (" (results differ)" if diff else ""))

    # 1. Taylor pipeline: two estimate calls, and one `survstat run`.
    if 1 in CASES:
        f1 = data_file("taylor_200k", 200000, 50, 10, 1)
        calls = [[SURVSTAT, "estimate", f1] + DESIGN + ["--mean", ITEMS, "--format", "csv"],
                 [SURVSTAT, "estimate", f1] + DESIGN +
                 ["--mean", "q1", "--prop", "sat", "--by", "region", "--format", "csv"]]
        s, r = side_by_side(calls, rscript("taylor", f1) if versions else None, REPS)
        outdir = tempfile.mkdtemp(prefix="survstat-bench-")
        spec = os.path.join(ROOT, "bench", "taylor.ini")
        runs = []
        for _ in range(REPS):
            subprocess.run(["rm", "-rf", os.path.join(outdir, "1")], check=True)
            runs.append(run([SURVSTAT, "run", spec, "--data", f1, "--wave", "1", "--out", outdir]))
        st = min(runs, key=lambda x: x.seconds)
        outs = [open(os.path.join(outdir, "1", n + ".csv")).read() for n in ("means", "byregion")]
        subprocess.run(["rm", "-rf", outdir], check=True)
        notes.append("1: two estimate calls %.3f s (ten means) + %.3f s (q1, sat by region) "
                     "= %.3f s wall, %.3f s CPU; survstat run %.3f s wall, %.3f s CPU" %
                     (s[0].seconds, s[1].seconds, total(s), total(s, "cpu"), st.seconds, st.cpu))
        if r:
            ours = parse_csv_rows(s[0].out) | parse_csv_rows(s[1].out)
            _, diff2 = agree(parse_csv_rows(outs[0]) | parse_csv_rows(outs[1]), ours, with_se=True)
            if diff2:
                notes.append("1: WARNING run and the estimate calls differ: " + diff2)
            n, diff = agree(ours, parse_csv_rows(r.out), with_se=True)
            versus("1 Taylor, 200k rows, 2 calls", s, r, ">= 75x", 75, diff)
            row("1 the same, one survstat run", "%.3f" % st.seconds, "%.3f" % r.seconds,
                "%.1fx" % (r.seconds / st.seconds), "", "")
            notes.append(cpu_note("1", s, r))
            notes.append(check_note("1", n, diff))
        else:
            row("1 Taylor, 200k rows, 2 calls", "%.3f" % total(s), "skipped", "-", ">= 75x", "-")

    # 2., 7. and 8. Replicate designs made by survstat.
    def replicate_case(label, fname, rows, strata, psus, seed, spec, rname, reps, with_se,
                       target, minimum, extra=(), rextra=(), skip_r=None):
        if not replicate:
            row(label, "skipped: no --replicate yet", "", "", "", "")
            return
        f = data_file(fname, rows, strata, psus, seed)
        cmd = [SURVSTAT, "estimate", f] + DESIGN + ["--mean", ITEMS, "--replicate", spec]
        if spec.startswith("bootstrap"):
            cmd += ["--seed", "1"]
        cmd += list(extra) + ["--format", "csv"]
        rcmd = rscript(rname, f, *rextra) if versions and not skip_r else None
        ours, r = side_by_side([cmd], rcmd, reps, 1 if minimum is None else reps)
        if not r:
            row(label, "%.3f" % total(ours),
                "skipped" + (" (%s)" % skip_r if skip_r else ""), "-", target,
                "met" if minimum is None and total(ours) < 10 else "-")
            return
        n, diff = agree(parse_csv_rows(ours[0].out), parse_csv_rows(r.out), with_se=with_se)
        case = label.split()[0]
        if minimum is None:  # "seconds"
            row(label, "%.3f" % total(ours), "%.3f" % r.seconds,
                "%.1fx" % (r.seconds / total(ours)), target,
                ("met" if total(ours) < 10 else "not met") + (" (results differ)" if diff else ""))
        else:
            versus(label, ours, r, target, minimum, diff)
        notes.append(cpu_note(case, ours, r))
        notes.append(check_note(case, n, diff, "estimates and SEs" if with_se else
                                "estimates (the SEs depend on the random replicates)"))

    if 2 in CASES:
        replicate_case("2 bootstrap 200, 50k rows", "boot_50k", 50000, 50, 10, 2,
                       "bootstrap:200", "boot:200", REPS, False, ">= 200x", 200)

    # 3. Ten million rows against a bare parse.
    if big and 3 in CASES:
        f3 = data_file("big_10m_real", 10000000, 500, 20, 3, "realistic")
        run([CSVPARSE, f3])  # warm the page cache: both timed runs read from memory
        parse = run([CSVPARSE, f3])
        ours = run([SURVSTAT, "estimate", f3] + DESIGN +
                   ["--mean", ITEMS, "--prop", "sat", "--format", "csv"])
        ratio = ours.seconds / parse.seconds
        gb = ours.maxrss_kb * 1024 / 1e9
        row("3 10M rows / bare parse", "%.2f" % ours.seconds, "parse %.2f" % parse.seconds,
            "%.2fx" % ratio, "<= 1.5x", "met" if ratio <= 1.5 else "not met")
        row("3 10M rows peak RSS", "%.2f GB" % gb, "", "", "< 0.6 GB", "met" if gb < 0.6 else "not met")
        notes.append("3: %s, %.0f MB; bare parse peak RSS %.0f MB" %
                     (os.path.relpath(f3, ROOT), os.path.getsize(f3) / 1e6,
                      parse.maxrss_kb / 1024))
        # survstat parses with two threads, the bare parse with one: the
        # ratio above is of wall times; this is the same in CPU time.
        notes.append("3: CPU time (user + system, all threads) survstat %.2f s, bare parse "
                     "%.2f s (%.2fx)" % (ours.cpu, parse.cpu, ours.cpu / max(parse.cpu, 1e-9)))
    elif 3 in CASES:
        row("3 10M rows", "skipped (BENCH_BIG=0)", "", "", "", "")

    # 4. The ACS shape: 80 supplied successive-difference replicate weights.
    if 4 in CASES:
        label = "4 ACS 80 SDR reps, 1M rows"
        if not os.path.exists(GEN_ACS):
            row(label, "skipped: no build/bench/gen_acs (bench/gen_acs.c)", "", "", ">= 25x", "-")
        elif not re.search(r"rep-type[^\n]*\bacs\b", survstat_help("weight") +
                           survstat_help("estimate")):
            row(label, "skipped: this survstat has no --rep-type acs", "", "", ">= 25x", "-")
        else:
            f4 = acs_file(1000000, 4)
            calls = [[SURVSTAT, "estimate", f4] + ACS_DESIGN +
                     ["--mean", "PINCP", "--by", "ST", "--format", "csv"],
                     [SURVSTAT, "estimate", f4] + ACS_DESIGN +
                     ["--prop", "ESR", "--total", "SEX", "--format", "csv"]]
            ours, r = side_by_side(calls, rscript("acs", f4) if versions else None, REPS, 1)
            gb = max(x.maxrss_kb for x in ours) * 1024 / 1e9
            if r:
                n, diff = agree(parse_csv_rows(ours[0].out) | parse_csv_rows(ours[1].out),
                                parse_csv_rows(r.out), with_se=True)
                versus(label, ours, r, ">= 25x", 25, diff)
                notes.append(cpu_note("4", ours, r))
                notes.append(check_note("4", n, diff))
            else:
                row(label, "%.3f" % total(ours), "skipped", "-", ">= 25x", "-")
            row("4 ACS peak RSS", "%.2f GB" % gb, "", "", "< 0.6 GB",
                "met" if gb < 0.6 else "not met")
            notes.append("4: %s, %.0f MB; the calls %.3f s + %.3f s" %
                         (os.path.relpath(f4, ROOT), os.path.getsize(f4) / 1e6,
                          ours[0].seconds, ours[1].seconds))

    # 5. One mean by 5,000 domains against the same mean alone.
    if 5 in CASES:
        f5 = people_file(1000000, 5)
        plain = [SURVSTAT, "estimate", f5] + PEOPLE_DESIGN + ["--mean", "income",
                                                              "--format", "csv"]
        bydom = plain + ["--by", "district"]
        one = by = None
        for _ in range(REPS):  # alternately
            a, b = run(plain), run(bydom)
            one = a if one is None or a.seconds < one.seconds else one
            by = b if by is None or b.seconds < by.seconds else by
        ratio = by.seconds / one.seconds
        ndom = len(by.out.splitlines()) - 1  # the header
        row("5 mean by %d domains, 1M rows" % ndom, "%.3f" % by.seconds,
            "no domains %.3f" % one.seconds, "%.2fx" % ratio, "<= 2x",
            "met" if ratio <= 2 else "not met")
        notes.append("5: CPU s %.3f by domain, %.3f without (%.2fx); R not run (svyby over "
                     "5,000 domains of 1,000,000 rows takes hours), so not checked against R"
                     % (by.cpu, one.cpu, by.cpu / max(one.cpu, 1e-9)))

    # 6. The table and model cases on the same file.
    if 6 in CASES:
        f6 = people_file(1000000, 5)
        tab = [SURVSTAT, "table", f6] + PEOPLE_DESIGN + ["--rows", "area", "--cols", "answer",
                                                         "--mark", "total", "--format", "csv"]
        ours, r = side_by_side([tab], rscript("table", f6) if versions else None, REPS, 1)
        t = ours[0].seconds
        met = "met" if t < 1 else "not met"
        if r:
            n, diff = agree(parse_csv_rows(ours[0].out), parse_csv_rows(r.out), with_se=True,
                            subset=True)
            row("6 table 10x12 --mark total, 1M", "%.3f" % t, "%.3f" % r.seconds,
                "%.1fx" % (r.seconds / t), "< 1 s", met + (" (results differ)" if diff else ""))
            notes.append(cpu_note("6 table", ours, r))
            notes.append(check_note("6 table", n, diff, "row percentages and SEs"))
        else:
            row("6 table 10x12 --mark total, 1M", "%.3f" % t, "skipped", "-", "< 1 s", met)
        mod = [SURVSTAT, "model", f6] + PEOPLE_DESIGN + ["--formula", MODEL, "--family",
                                                         "binomial", "--format", "csv"]
        ours, r = side_by_side([mod], rscript("model", f6) if versions else None, REPS, 1)
        gb = ours[0].maxrss_kb * 1024 / 1e9
        if r:
            n, diff = agree(parse_csv_rows(ours[0].out), parse_csv_rows(r.out), with_se=True)
            versus("6 logistic model, 10 coef, 1M", ours, r, ">= 50x", 50, diff)
            notes.append(cpu_note("6 model", ours, r))
            notes.append(check_note("6 model", n, diff, "coefficients and SEs"))
        else:
            row("6 logistic model, 10 coef, 1M", "%.3f" % total(ours), "skipped", "-",
                ">= 50x", "-")
        row("6 model peak RSS", "%.2f GB" % gb, "", "", "< 1 GB", "met" if gb < 1 else "not met")
        notes.append("6: %s, %.0f MB" % (os.path.relpath(f6, ROOT), os.path.getsize(f6) / 1e6))

    if 7 in CASES:
        replicate_case("7 JKn 2000, 100k rows", "jkn_100k", 100000, 200, 10, 4,
                       "jkn", "jkn", 1, True, "seconds", None)

    # 8. The same replicates, each raked again to two margins.
    margins = os.path.join(DATA, "rake_margins.csv")
    if replicate and 8 in CASES:
        rake_margins(margins)
    skip = "BENCH_RAKE_R=0" if os.environ.get("BENCH_RAKE_R", "1") == "0" else None
    if 8 in CASES:
        replicate_case("8 JKn 2000 raked, 100k rows", "jkn_100k", 100000, 200, 10, 4,
                       "jkn", "jknrake", 1, True, "seconds", None,
                       extra=["--rake", margins], rextra=[margins], skip_r=skip)

    # 9. The same data as .sav and as CSV.
    if 9 in CASES:
        g = data_file("sav_1m_gen", 1000000, 50, 10, 6)
        csv_path = os.path.join(DATA, "sav_1m.csv")
        sav_path = os.path.join(DATA, "sav_1m.sav")
        made = os.path.exists(sav_path) and os.path.getmtime(sav_path) >= os.path.getmtime(g)
        if not made:
            script = ('suppressMessages({library(haven); library(data.table)}); '
                      'a <- commandArgs(TRUE); d <- fread(a[1]); '
                      'for (k in 1:5) d[[paste0("x", k)]] <- d[[paste0("q", k)]] * 2 + 1; '
                      'fwrite(d, a[2]); write_sav(d, a[3])')
            p = subprocess.run(["Rscript", "-e", script, g, csv_path, sav_path],
                               capture_output=True, text=True)
            made = p.returncode == 0
            if not made:
                notes.append("9: skipped, R could not write the .sav: " + p.stderr.strip()[-200:])
        if made:
            args = ["--strata", "stratum", "--ids", "psu", "--weights", "w", "--mean",
                    ITEMS + ",x1,x2,x3,x4,x5", "--prop", "sat", "--by", "region",
                    "--format", "csv"]
            c = best([[SURVSTAT, "estimate", csv_path] + args], REPS)[0]
            v = best([[SURVSTAT, "estimate", sav_path] + args], REPS)[0]
            ratio = v.seconds / c.seconds
            same = v.out == c.out
            table.append(("9 .sav vs CSV, 1M x 20", "%.3f" % v.seconds, "CSV %.3f" % c.seconds,
                          "%.2fx" % ratio, "<= 1.5x",
                          ("met" if ratio <= 1.5 else "not met") +
                          ("" if same else " (results differ)")))
            notes.append("9: cpu seconds .sav %.3f, CSV %.3f (the CSV is parsed by two threads); "
                         "peak memory %.0f MB and %.0f MB; the estimates %s" %
                         (v.cpu, c.cpu, v.maxrss_kb / 1024, c.maxrss_kb / 1024,
                          "are the same bytes" if same else "DIFFER"))
    # 10. Proportions over many levels: the one pass against the block path.
    if 10 in CASES:
        levels_case(row, notes)

    head = ("case", "survstat s", "R s", "ratio", "target", "met")
    w = [max(len(str(x[i])) for x in table + [head]) for i in range(len(head))]
    print()
    for k, line in enumerate([head] + table):
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(line)).rstrip())
        if k == 0:
            print("  ".join("-" * x for x in w))
    print()
    for n in notes:
        print("note " + n)
    print("load average at the end %.1f (other work on the machine slows both sides)" %
          os.getloadavg()[0])
    if not versions:
        print("R was skipped: %s" % why_no_r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
