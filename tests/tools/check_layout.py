#!/usr/bin/env python3
"""The layering rules of docs/ARCHITECTURE.md, checked on the sources.

Prints TAP. Rules:
  1. No cloud is named in code (comments aside) outside src/providers/.
  2. curses is included only under src/dashboard/, curl only under
     src/engine/, libmicrohttpd only under src/exporter/.
  3. The module include graph (x.c and x.h are one module; a .def table is
     data, not a module) has no cycle.
Usage: check_layout.py SRCDIR
"""
import os
import re
import sys

CLOUDS = re.compile(r"tencent|huawei|alibaba|aliyun", re.I)
ONLY_UNDER = [
    (re.compile(r"#\s*include\s*<n?cursesw?/?[a-z]*\.h>|#\s*include\s*<(n?curses|term)\.h>"), "dashboard", "curses"),
    (re.compile(r"#\s*include\s*<curl/"), "engine", "curl"),
    (re.compile(r"#\s*include\s*<microhttpd\.h>"), "exporter", "libmicrohttpd"),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)

n = 0
failed = 0


def ok(good, what, detail=()):
    global n, failed
    n += 1
    print(("ok" if good else "not ok") + " %d - %s" % (n, what))
    if not good:
        failed += 1
        for line in list(detail)[:20]:
            print("#   " + line)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def main(src):
    files = []
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith((".c", ".h", ".def")):
                files.append(os.path.relpath(os.path.join(root, name), src))
    files.sort()
    text = {f: open(os.path.join(src, f), encoding="utf-8", errors="replace").read() for f in files}

    leaks = []
    for f in files:
        if f.startswith("providers/"):
            continue
        for i, line in enumerate(strip_comments(text[f]).split("\n"), 1):
            if CLOUDS.search(line):
                leaks.append("%s:%d: %s" % (f, i, line.strip()))
    ok(not leaks, "no cloud named outside src/providers/ (comments aside)", leaks)

    for rx, folder, lib in ONLY_UNDER:
        bad = [f for f in files if rx.search(text[f]) and not f.startswith(folder + "/")]
        ok(not bad, "%s is included only under src/%s/" % (lib, folder), bad)

    def module(path):
        return re.sub(r"\.[ch]$", "", path)

    graph = {}
    for f in files:
        if f.endswith(".def"):
            continue
        m = module(f)
        for inc in INCLUDE.findall(text[f]):
            if inc.endswith(".def") or inc not in text:
                continue
            t = module(inc)
            if t != m:
                graph.setdefault(m, set()).add(t)
    cycles = []
    state = {}

    def visit(m, stack):
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    ok(not cycles, "the module include graph has no cycle (%d modules)" % len(
        {module(f) for f in files if not f.endswith(".def")}), cycles)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
