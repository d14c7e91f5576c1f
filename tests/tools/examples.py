#!/usr/bin/env python3
"""Run the examples of README.md, docs/*.md and every command's --help as tests.

usage: examples.py SURVSTAT

README.md and docs/*.md: in each ```console block, a line "$ survstat ..." is run with
bash from the repository root (survstat meaning the binary under test); a
command line ending in a backslash goes on on the next line; the lines after
the command, up to the next "$ " line or the end of the block, are its
expected standard output, compared exactly.

--help: the lines under "examples:" that start with "survstat " must run
with exit status 0 and print something.

Prints "ok NAME" or "FAIL NAME" per example; exit 1 when any failed.

usage: examples.py SURVSTAT --update-readme (or --update-docs, the same)
rewrites the expected output of every example of README.md and docs/*.md
that runs (exit 0) but prints something else with what it prints now (after
a deliberate change of an output, such as the conf_level column); it changes
nothing else and prints the commands it updated. Read `git diff` before
committing: a changed number is a defect, not an update.
"""
import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# The examples' /tmp/ paths point into a directory of this run's own, so
# that two runs at once (make check runs the plain and the sanitizer suites
# side by side) never share a file; their output shows /tmp/ again.
PRIVATE = tempfile.mkdtemp(prefix="survstat-examples-")
atexit.register(shutil.rmtree, PRIVATE, True)


def run(cmd):
    # Only a leading "survstat" word of each pipeline stage is the binary.
    cmd = re.sub(r"(^|[|;&]\s*)survstat\b", lambda m: m.group(1) + BIN, cmd)
    cmd = cmd.replace("/tmp/", PRIVATE + "/")
    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT,
                       capture_output=True, text=True)
    r.stdout = r.stdout.replace(PRIVATE + "/", "/tmp/")
    r.stderr = r.stderr.replace(PRIVATE + "/", "/tmp/")
    return r


def doc_files():
    docs = os.path.join(ROOT, "docs")
    names = sorted(n for n in os.listdir(docs) if n.endswith(".md")) if os.path.isdir(docs) else []
    return ["README.md"] + ["docs/" + n for n in names]


def command_end(lines, i):
    """The index after the command that starts at lines[i] ("$ ...", with
    continuation lines while a line ends in a backslash) and its text."""
    cmd = lines[i][2:]
    j = i + 1
    while cmd.endswith("\\") and j < len(lines):
        cmd = cmd + "\n" + lines[j]
        j += 1
    return j, cmd


def console_examples(path):
    lines = open(os.path.join(ROOT, path), encoding="utf-8").read().split("\n")
    examples, in_block, cur, i = [], False, None, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            if in_block and cur:
                examples.append(cur)
            in_block = line.strip() == "```console"
            cur = None
            i += 1
            continue
        if not in_block:
            i += 1
            continue
        if line.startswith("$ "):
            if cur:
                examples.append(cur)
            i, cmd = command_end(lines, i)
            cur = [cmd, []]
            continue
        if cur is not None:
            cur[1].append(line)
        i += 1
    return examples


def update_docs():
    for name in doc_files():
        update_file(name)


def update_file(name):
    path = os.path.join(ROOT, name)
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, in_block, changed = [], 0, False, []
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block = line.strip() == "```console" and not in_block
            out.append(line)
            i += 1
            continue
        if in_block and line.startswith("$ "):
            k, cmd = command_end(lines, i)
            j = k
            while j < len(lines) and not lines[j].startswith("$ ") and not lines[j].startswith("```"):
                j += 1
            old = lines[k:j]
            r = run(cmd)
            new = r.stdout[:-1].split("\n") if r.stdout else []
            if r.returncode == 0 and new != old:
                changed.append(cmd.split("\n")[0])
                out.extend(lines[i:k])
                out.extend(new)
            else:
                out.extend(lines[i:j])
            i = j
            continue
        out.append(line)
        i += 1
    open(path, "w", encoding="utf-8").write("\n".join(out))
    for c in changed:
        print(f"updated {name}: {c}")


def main():
    if "--update-readme" in sys.argv or "--update-docs" in sys.argv:
        update_docs()
        return
    failed = 0
    for path in doc_files():
        for cmd, out in console_examples(path):
            r = run(cmd)
            want = "\n".join(out) + "\n" if out else ""
            if r.returncode == 0 and r.stdout == want:
                print(f"ok {path}: {cmd}")
            else:
                failed += 1
                print(f"FAIL {path}: {cmd}\n--- want\n{want}--- got (exit {r.returncode})\n{r.stdout}{r.stderr}")
    top = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    commands = re.findall(r"^  (\w+) ", top.stdout.split("commands:")[1], re.M)
    for c in commands:
        h = subprocess.run([BIN, c, "--help"], capture_output=True, text=True)
        if h.returncode != 0 or not h.stdout.startswith("usage: survstat " + c):
            failed += 1
            print(f"FAIL help: {c}")
            continue
        print(f"ok help: {c}")
        if "examples:" in h.stdout or "example:" in h.stdout:
            part = re.split(r"^examples?:$", h.stdout, flags=re.M)[1]
            for line in part.split("\n"):
                if line.strip().startswith("survstat "):
                    r = run(line.strip())
                    if r.returncode == 0 and r.stdout:
                        print(f"ok help example: {line.strip()}")
                    else:
                        failed += 1
                        print(f"FAIL help example: {line.strip()}\n{r.stderr}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
