#!/usr/bin/env python3
"""Strict checker of monitoring-plugin output (tlsfleet --check).

Reads the output on stdin; checks the first line's shape, that no line
but the first carries a '|', and every perfdata item against the
monitoring-plugins development guidelines: 'label'=value[UOM];[warn];[crit];[min];[max]
with warn/crit in the range grammar [@][start:][end] (start may be ~).
Exit 0 when valid; otherwise prints what is wrong and exits 1.
"""
import re
import sys

NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
RANGE = re.compile(r"^@?(?:(?:%s|~):)?(?:%s)?$" % (NUM, NUM))
VALUE = re.compile(r"^(%s|U)([a-zA-Z%%]*)$" % NUM)
UOMS = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}
LABEL = re.compile(r"^(?:'(?:[^'=]|'')+'|[^'= ]+)$")


def check_range(text, what, errors):
    if text == "":
        return
    if not RANGE.match(text) or text in ("@", ":"):
        errors.append("%s: %r is not a range" % (what, text))
        return
    body = text.lstrip("@")
    if ":" in body:
        start, end = body.split(":", 1)
        if start not in ("", "~") and end != "" and float(start) > float(end):
            errors.append("%s: %r starts after it ends" % (what, text))


def check_perfdata(perf, errors):
    items = perf.split(" ")
    if not perf or any(i == "" for i in items):
        errors.append("perfdata: empty item or double space in %r" % perf)
        return
    for item in items:
        label, eq, rest = item.partition("=")
        if not eq or not LABEL.match(label):
            errors.append("perfdata: bad label in %r" % item)
            continue
        fields = rest.split(";")
        if len(fields) > 5:
            errors.append("perfdata: too many fields in %r" % item)
        m = VALUE.match(fields[0])
        if not m or m.group(2) not in UOMS:
            errors.append("perfdata: bad value/unit in %r" % item)
        for i, what in ((1, "warn"), (2, "crit")):
            if len(fields) > i:
                check_range(fields[i], "%s of %s" % (what, label), errors)
        for i in (3, 4):
            if len(fields) > i and fields[i] and not re.match("^%s$" % NUM, fields[i]):
                errors.append("perfdata: min/max of %s not a number" % label)


def main():
    text = sys.stdin.read()
    errors = []
    if not text.endswith("\n"):
        errors.append("output does not end with a newline")
    lines = text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")
    if not lines:
        errors.append("no output")
    else:
        first = lines[0]
        m = re.match(r"^TLSFLEET (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+) \| (.*)$", first)
        if not m:
            errors.append("first line: %r" % first)
        else:
            check_perfdata(m.group(3), errors)
        for n, line in enumerate(lines[1:], 2):
            if "|" in line:
                errors.append("line %d carries a '|' (would start perfdata)" % n)
            if not re.match(r"^(WARNING|CRITICAL|UNKNOWN) [^:]+: .+$", line):
                errors.append("line %d: %r" % (n, line))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
