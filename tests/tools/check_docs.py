#!/usr/bin/env python3
"""Check that the documentation covers the commands and that its links hold.

usage: check_docs.py ROOT SURVSTAT

- every command that `SURVSTAT --help` lists has a section in ROOT/man/survstat.1
  (a `.SS` line naming it; one `.SS` may name several, separated by commas)
  and a page ROOT/docs/COMMAND.md;
- every link of ROOT/README.md and ROOT/docs/*.md to a file of the tree
  points to an existing file, and a link with an #anchor to a heading of
  the target (GitHub's slugs);
- README.md links to every page of docs/, and every page links back;
- the man page's .TH line names the version `SURVSTAT --version` prints
  and a real date (YYYY-MM-DD).

A link to docs/NAME.md whose file is missing is allowed only while NAME is a
command of the README's command table that this build does not have yet
(its page comes with the command); it is printed as a note.

Prints one line per problem; exit 1 when there is any.
"""
import os
import re
import subprocess
import sys

ROOT, BIN = sys.argv[1], sys.argv[2]
problems, notes = [], []


def commands():
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
    return re.findall(r"^  (\w+) ", out.split("commands:")[1], re.M)


def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return {slug(m) for m in re.findall(r"^#+ (.*)$", text, re.M)}


def links(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text)


cmds = commands()
readme = os.path.join(ROOT, "README.md")
table = re.findall(r"^\| \[`(\w+)`\]", open(readme, encoding="utf-8").read(), re.M)
later = set(table) - set(cmds)

man = open(os.path.join(ROOT, "man", "survstat.1"), encoding="utf-8").read()
sections = set()
for line in re.findall(r"^\.SS (.*)$", man, re.M):
    sections.update(w.strip().strip('"') for w in line.split(","))
th = re.search(r'^\.TH SURVSTAT 1 "([^"]*)" "survstat ([^"]*)"', man, re.M)
ver = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout.split()
if not th:
    problems.append('man/survstat.1: no line .TH SURVSTAT 1 "DATE" "survstat VERSION"')
else:
    import datetime
    try:
        datetime.date.fromisoformat(th.group(1))
    except ValueError:
        problems.append(f"man/survstat.1: .TH date '{th.group(1)}' is not YYYY-MM-DD")
    if len(ver) < 2 or th.group(2) != ver[1]:
        problems.append(f"man/survstat.1: .TH names survstat {th.group(2)}, "
                        f"survstat --version says {' '.join(ver[:2])}")
for c in cmds:
    if c not in sections:
        problems.append(f"man/survstat.1: no section for the command '{c}'")
    if not os.path.isfile(os.path.join(ROOT, "docs", c + ".md")):
        problems.append(f"docs/{c}.md: missing (a page for the command '{c}')")

docs_dir = os.path.join(ROOT, "docs")
pages = sorted(n for n in os.listdir(docs_dir) if n.endswith(".md"))
files = [readme] + [os.path.join(docs_dir, n) for n in pages]
for f in files:
    name = os.path.relpath(f, ROOT)
    for link in links(f):
        if re.match(r"^[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(f), target)) if target else f
        rel = os.path.relpath(path, ROOT)
        if not os.path.exists(path):
            base = os.path.basename(rel)[:-3] if rel.endswith(".md") else ""
            if rel.startswith("docs" + os.sep) and base in later:
                notes.append(f"{name}: {link}: the command '{base}' is not in this build yet")
            else:
                problems.append(f"{name}: link to a missing file: {link}")
            continue
        if anchor and path.endswith(".md") and anchor not in anchors(path):
            problems.append(f"{name}: link to a missing heading: {link}")

readme_links = {os.path.normpath(l.partition("#")[0]) for l in links(readme)}
for n in pages:
    if "docs/" + n not in readme_links:
        problems.append(f"README.md: no link to docs/{n}")
    if "../README.md" not in {l.partition("#")[0] for l in links(os.path.join(docs_dir, n))}:
        problems.append(f"docs/{n}: no link back to ../README.md")

for n in sorted(set(notes)):
    print("note:", n)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
