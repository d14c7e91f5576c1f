#!/usr/bin/env python3
"""Checks the source layers on the built objects (README "Source layout").

Reads the symbols of every object under BUILD/{io,design,stats,report,cli}
with nm: a file may call files of its own layer and of lower ones, never of
a higher one, and no two files may depend on each other, directly or round
a longer circle.  Prints each violation and exits 1; prints a summary and
exits 0 when the tree is clean.  Usage: check_layers.py [BUILD]"""
import os
import subprocess
import sys

LAYERS = ["io", "design", "stats", "report", "cli"]


def symbols(path):
    out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCGSVW":
            defined.add(parts[2])
    return defined, undefined


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    objs = {}
    for layer in LAYERS:
        d = os.path.join(build, layer)
        if not os.path.isdir(d):
            print(f"check_layers: {d}: no such folder (build first)")
            return 1
        for f in sorted(os.listdir(d)):
            if f.endswith(".o"):
                objs[f"{layer}/{f[:-2]}"] = symbols(os.path.join(d, f))
    owner = {}
    for name, (defined, _) in objs.items():
        for s in defined:
            owner[s] = name
    deps = {name: {owner[s] for s in und if s in owner} - {name}
            for name, (_, und) in objs.items()}
    bad = 0
    for name, ds in sorted(deps.items()):
        for d in sorted(ds):
            if LAYERS.index(d.split("/")[0]) > LAYERS.index(name.split("/")[0]):
                calls = sorted(s for s in objs[name][1] if owner.get(s) == d)
                print(f"check_layers: {name} calls up into {d}: {', '.join(calls)}")
                bad += 1
    # Circles: strongly connected components of more than one file.
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in deps[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    for comp in comps:
        print(f"check_layers: a circle between {', '.join(comp)}")
        bad += 1
    if bad:
        return 1
    n_edges = sum(len(d) for d in deps.values())
    print(f"check_layers: {len(objs)} files, {n_edges} calls between them, none upward, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
