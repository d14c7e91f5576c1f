#!/usr/bin/env python3
"""survstat against R's survey package, side by side (`make bench`).

Not a test: it prints a table of times and ratios and exits 0 whether or not
a target is met (non-zero only when a program fails); where survstat's numbers
differ from R's it says so.

Cases (each on a deterministic file from bench/gen.c, made once into
bench/data/ and reused; the design is always 'stratum', 'psu', 'w'):

1. Taylor pipeline, 200,000 rows, 50 strata x 10 PSUs: ten means, the mean of
   q1 by region (20 domains) and the proportions of sat (5 levels) by region.
   survstat runs it as one `survstat run bench/taylor.ini` (two estimate
   sections, the file read once), as R reads it once (data.table::fread) and
   runs svymean and two svyby in one session; the two `survstat estimate`
   calls that do the same (`--by` applies to every estimate of a call), each
   reading the file, are timed too and printed in a note.
2. 200 bootstrap replicates, ten means, 50,000 rows: when `survstat estimate
   --help` mentions --replicate (R: as.svrepdesign(type = "bootstrap")).
3. 10,000,000 rows (about 480 MB, 16 columns, gen's realistic format:
   weights with three decimals, 2% empty cells, a quoted text with commas
   in 1 row of 100): ten means and the proportions
   of sat in one call, against a bare libcsv parse of the same file
   (bench/csvparse.c), and survstat's peak resident memory.  BENCH_BIG=0
   skips it.
4. 2,000 JKn replicates (200 strata x 10 PSUs), ten means, 100,000 rows: when
   --replicate exists (R: as.svrepdesign(type = "JKn")).
6. Reading SPSS: 1,000,000 rows x 20 columns (gen's 15 and five more) as a
   .sav (written by R's haven, bench/data/sav_1m.sav) against the same data
   as CSV (data.table's fwrite): fifteen means and the proportions of sat by
   region; target: the .sav at most 1.5x the CSV's time (same estimates).
   Needs R's haven to write the file once.
5. The same 2,000 JKn replicates raked to two margins (region, 20 levels, and
   sat, 5 levels; bench/data/rake_margins.csv, written by bench.py), every
   replicate raked again, ten means (R: calibrate(calfun = "raking") on the
   replicate design).  R takes many minutes here: BENCH_RAKE_R=0 skips R's
   side of this case.
6. The proportions of 2,000 levels on about 200,000 rows (30 strata, about
   2,000 PSUs, a household stage with fpc, weights with 12 decimals, 3%
   missing; tests/data/gen_levels.py 2000 10 6) against survstat's own block
   path (SURVSTAT_PROP_LEVELS=100000: levels x rows, what survstat did
   before), and the same with 20 levels (where survstat keeps the block
   path); the two must agree to 1e-12.  R is not run: its svymean of a
   2,000-level factor builds a 200,000 x 2,000 model matrix.

Times are wall-clock (time.perf_counter) around whole processes, R's start-up
and package loading included (case 3 also prints both sides' CPU time, as
survstat reads a large file with two threads and the bare parse uses one); best of 3 for cases 1 and 2 (BENCH_REPS=N
changes it), one run for 3 and 4.  BENCH_CASES=1,3 runs only those cases.  Peak memory is the child's ru_maxrss from
wait4, the figure /usr/bin/time -v prints as "Maximum resident set size".
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
CSVPARSE = os.path.join(ROOT, "build", "bench", "csvparse")
RSCRIPT_FILE = os.path.join(ROOT, "bench", "bench.R")

DESIGN = ["--strata", "stratum", "--ids", "psu", "--weights", "w"]
ITEMS = ",".join("q%d" % k for k in range(1, 11))
REPS = int(os.environ.get("BENCH_REPS", "3"))
CASES = {int(c) for c in os.environ.get("BENCH_CASES", "1,2,3,4,5,6,7").split(",") if c.strip()}


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


def data_file(name, rows, strata, psus, seed, fmt=None):
    """bench/data/NAME.csv from gen (fmt: gen's FORMAT argument), made when
    missing or older than gen."""
    path = os.path.join(DATA, "%s.csv" % name)
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(GEN):
        os.makedirs(DATA, exist_ok=True)
        t0 = time.perf_counter()
        subprocess.run([GEN, str(rows), str(strata), str(psus), str(seed), path] +
                       ([fmt] if fmt else []), check=True)
        print("generated %s (%d rows, %.0f MB) in %.1f s" %
              (os.path.relpath(path, ROOT), rows, os.path.getsize(path) / 1e6,
               time.perf_counter() - t0), flush=True)
    return path


def rake_margins(path):
    """Margins for case 5: 10,000,000 people, region r1..r20 at 95% to 105% of
    an even share, sat 1..5 at 5/10/20/40/25% (the file's own shares are near)."""
    n = 10000000
    lines = ["variable,level,total"]
    lines += ["region,r%d,%.0f" % (k, n / 20 * (1 + 0.05 * ((k % 5) - 2))) for k in range(1, 21)]
    lines += ["sat,%s,%.0f" % (lev, n * s) for lev, s in zip("12345", (0.05, 0.10, 0.20, 0.40, 0.25))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def r_status():
    """(None, versions) when Rscript, survey and data.table are there, else (why, None)."""
    probe = ('ok <- sapply(c("survey", "data.table"), requireNamespace, quietly = TRUE); '
             'if (!all(ok)) { cat(names(ok)[!ok], "\\n"); quit(status = 3) }; '
             'cat(R.version$major, ".", R.version$minor, " survey ", '
             'format(packageVersion("survey")), " data.table ", '
             'format(packageVersion("data.table")), "\\n", sep = "")')
    try:
        p = subprocess.run(["Rscript", "-e", probe], capture_output=True, text=True)
    except FileNotFoundError:
        return "Rscript not found", None
    if p.returncode == 3:
        return "R package(s) missing: %s" % p.stdout.strip(), None
    if p.returncode != 0:
        return "Rscript failed: %s" % p.stderr.strip(), None
    return None, "R " + p.stdout.strip()


def parse_csv_rows(text, estimate_col="estimate", se_col="se"):
    """{(statistic, variable, level, domain): (estimate, se)} from csv text."""
    import csv
    import io
    res = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row["statistic"], row["variable"], row["level"], row["domain"])
        res[key] = (float(row[estimate_col]), float(row[se_col]) if row[se_col] else float("nan"))
    return res


def agree(ours, theirs, with_se, tol=1e-9):
    """(rows compared, None) or (rows, what differs): survstat against R."""
    if set(ours) != set(theirs):
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


def has_replicate():
    p = subprocess.run([SURVSTAT, "estimate", "--help"], capture_output=True, text=True)
    return "--replicate" in p.stdout


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
        label = "7 --prop %d levels, %dk rows" % (nlev, rows // 1000)
        if nlev == 2000:
            row(label, "%.3f" % one.seconds, "blocks %.3f" % blocks.seconds, "%.1fx" % ratio,
                ">= 5x", "met" if ratio >= 5 and worst <= 1e-12 else "not met")
        else:
            row(label, "%.3f (forced)" % one.seconds, "blocks %.3f" % blocks.seconds,
                "%.2fx" % ratio, "no slower", "-")
        notes.append("7: %d levels: one pass and blocks agree to %.1e relative; CPU %.2f s "
                     "against %.2f s; peak RSS %.0f MB against %.0f MB"
                     % (nlev, worst, one.cpu, blocks.cpu, one.maxrss_kb / 1024,
                        blocks.maxrss_kb / 1024))


def main():
    why_no_r, versions = r_status()
    print("survstat bench: %s, %d cpus, load average %.1f; %s" %
          (cpu_name(), os.cpu_count() or 0, os.getloadavg()[0],
           versions or "R skipped: " + why_no_r), flush=True)
    replicate = has_replicate()
    big = os.environ.get("BENCH_BIG", "1") != "0"
    table, notes = [], []

    def row(case, ours, other, ratio, target, met):
        table.append((case, ours, other, ratio, target, met))

    # 1. Taylor pipeline.
    if 1 in CASES:
        f1 = data_file("taylor_200k", 200000, 50, 10, 1)
        calls = [[SURVSTAT, "estimate", f1] + DESIGN + ["--mean", ITEMS, "--format", "csv"],
                 [SURVSTAT, "estimate", f1] + DESIGN +
                 ["--mean", "q1", "--prop", "sat", "--by", "region", "--format", "csv"]]
        s = best(calls, REPS)
        outdir = tempfile.mkdtemp(prefix="survstat-bench-")
        spec = os.path.join(ROOT, "bench", "taylor.ini")
        runs = []
        for _ in range(REPS):
            subprocess.run(["rm", "-rf", os.path.join(outdir, "1")], check=True)
            runs.append(run([SURVSTAT, "run", spec, "--data", f1, "--wave", "1", "--out", outdir]))
        st = min(r.seconds for r in runs)
        outs = [open(os.path.join(outdir, "1", n + ".csv")).read() for n in ("means", "byregion")]
        subprocess.run(["rm", "-rf", outdir], check=True)
        notes.append("1: survstat run %.3f s; as two estimate calls %.3f s (ten means) + %.3f s "
                     "(q1, sat by region) = %.3f s" %
                     (st, s[0].seconds, s[1].seconds, s[0].seconds + s[1].seconds))
        if versions:
            r = best([["Rscript", RSCRIPT_FILE, "taylor", f1]], REPS)[0]
            ours = parse_csv_rows(outs[0])
            ours.update(parse_csv_rows(outs[1]))
            _, diff2 = agree(parse_csv_rows(s[0].out) | parse_csv_rows(s[1].out), ours, with_se=True)
            if diff2:
                notes.append("1: WARNING run and the estimate calls differ: " + diff2)
            n, diff = agree(ours, parse_csv_rows(r.out), with_se=True)
            ratio = r.seconds / st
            row("1 Taylor, 200k rows", "%.3f" % st, "%.3f" % r.seconds, "%.1fx" % ratio,
                ">= 50x", ("met" if ratio >= 50 else "not met") + (" (results differ)" if diff else ""))
            ri = insession(r.err)
            notes.append("1: R %.3f s end to end, %.3f s after loading the packages (%.1fx)" %
                         (r.seconds, ri, ri / st))
            notes.append("1: " + (("WARNING survstat and R differ: " + diff) if diff else
                                  "%d estimates and SEs agree with R to 1e-9" % n))
        else:
            row("1 Taylor, 200k rows", "%.3f" % st, "skipped", "-", ">= 50x", "-")

    # 2. and 4. Replicate designs.
    def replicate_case(label, fname, rows, strata, psus, seed, spec, rname, reps, with_se,
                       target, met_if, extra=(), rextra=(), skip_r=None):
        if not replicate:
            row(label, "skipped: no --replicate yet", "", "", "", "")
            return
        f = data_file(fname, rows, strata, psus, seed)
        cmd = [SURVSTAT, "estimate", f] + DESIGN + ["--mean", ITEMS, "--replicate", spec]
        if spec.startswith("bootstrap"):
            cmd += ["--seed", "1"]
        cmd += list(extra) + ["--format", "csv"]
        ours = best([cmd], reps)[0]
        if not versions or skip_r:
            row(label, "%.3f" % ours.seconds, "skipped" + (" (%s)" % skip_r if skip_r else ""),
                "-", target, "met" if met_if(ours.seconds, float("inf")) else "not met")
            return
        r = best([["Rscript", RSCRIPT_FILE, rname, f] + list(rextra)], reps)[0]
        n, diff = agree(parse_csv_rows(ours.out), parse_csv_rows(r.out), with_se=with_se)
        met = "met" if met_if(ours.seconds, r.seconds) else "not met"
        row(label, "%.3f" % ours.seconds, "%.3f" % r.seconds,
            "%.1fx" % (r.seconds / ours.seconds), target,
            met + (" (results differ)" if diff else ""))
        case = label.split()[0]
        notes.append("%s: R %.3f s after loading the packages; peak RSS survstat %.0f MB, R %.0f MB"
                     % (case, insession(r.err), ours.maxrss_kb / 1024, r.maxrss_kb / 1024))
        notes.append("%s: " % case + (("WARNING survstat and R differ: " + diff) if diff else
                                      "%d estimates%s agree with R to 1e-9" %
                                      (n, " and SEs" if with_se else "")))

    # Bootstrap SEs depend on the random replicates, so only estimates are compared.
    if 2 in CASES:
        replicate_case("2 bootstrap 200, 50k rows", "boot_50k", 50000, 50, 10, 2,
                       "bootstrap:200", "boot:200", REPS, False,
                       ">= 100x", lambda ours, r: r / ours >= 100)

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

    if 4 in CASES:
        replicate_case("4 JKn 2000, 100k rows", "jkn_100k", 100000, 200, 10, 4,
                       "jkn", "jkn", 1, True,
                       "seconds", lambda ours, r: ours < 10)

    # 5. The same replicates, each raked again to two margins.
    margins = os.path.join(DATA, "rake_margins.csv")
    if replicate and 5 in CASES:
        rake_margins(margins)
    skip = "BENCH_RAKE_R=0" if os.environ.get("BENCH_RAKE_R", "1") == "0" else None
    if 5 in CASES:
        replicate_case("5 JKn 2000 raked, 100k rows", "jkn_100k", 100000, 200, 10, 4,
                       "jkn", "jknrake", 1, True,
                       "seconds", lambda ours, r: ours < 10,
                       extra=["--rake", margins], rextra=[margins], skip_r=skip)

    # 6. The same data as .sav and as CSV.
    if 6 in CASES:
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
                notes.append("6: skipped, R could not write the .sav: " + p.stderr.strip()[-200:])
        if made:
            args = ["--strata", "stratum", "--ids", "psu", "--weights", "w", "--mean",
                    ITEMS + ",x1,x2,x3,x4,x5", "--prop", "sat", "--by", "region",
                    "--format", "csv"]
            c = best([[SURVSTAT, "estimate", csv_path] + args], REPS)[0]
            v = best([[SURVSTAT, "estimate", sav_path] + args], REPS)[0]
            ratio = v.seconds / c.seconds
            same = v.out == c.out
            table.append(("6 .sav vs CSV, 1M x 20", "%.3f" % v.seconds, "CSV %.3f" % c.seconds,
                          "%.2fx" % ratio, "<= 1.5x",
                          ("met" if ratio <= 1.5 else "not met") +
                          ("" if same else " (results differ)")))
            notes.append("6: cpu seconds .sav %.3f, CSV %.3f (the CSV is parsed by two threads); "
                         "peak memory %.0f MB and %.0f MB; the estimates %s" %
                         (v.cpu, c.cpu, v.maxrss_kb / 1024, c.maxrss_kb / 1024,
                          "are the same bytes" if same else "DIFFER"))
    # 7. Proportions over many levels: the one pass against the block path.
    if 7 in CASES:
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
