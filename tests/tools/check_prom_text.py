#!/usr/bin/env python3
"""Strict checker of Prometheus exposition text (tlsfleet's metrics).

Usage: check_prom_text.py [--openmetrics] < metrics
Text format 0.0.4 by default; with --openmetrics, OpenMetrics 1.0 text.
Stricter than the scrapers: every family has # HELP and # TYPE before its
samples, a family's samples are contiguous, no empty lines, no duplicate
series, label values use only the \\\\, \\" and \\n escapes, values parse.
Exit 0 when valid; otherwise prints each problem and exits 1.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES_TEXT = {"counter", "gauge", "histogram", "summary", "untyped"}
TYPES_OM = {"counter", "gauge", "histogram", "gaugehistogram", "summary", "info",
            "stateset", "unknown"}
SUFFIX_OM = {"counter": ("_total", "_created"), "info": ("_info",)}


def parse_labels(s, pos, errors, where):
    """s[pos] == '{'; returns (labels, new pos)."""
    labels = []
    pos += 1
    while True:
        if pos < len(s) and s[pos] == "}":
            return labels, pos + 1
        m = LABEL.match(s, pos)
        if not m:
            errors.append("%s: bad label name at %r" % (where, s[pos:pos + 20]))
            return labels, None
        name = m.group(0)
        pos = m.end()
        if s[pos:pos + 2] != '="':
            errors.append("%s: expected =\" after %s" % (where, name))
            return labels, None
        pos += 2
        val = []
        while pos < len(s) and s[pos] != '"':
            if s[pos] == "\\":
                nxt = s[pos + 1:pos + 2]
                if nxt not in ("\\", '"', "n"):
                    errors.append("%s: bad escape \\%s in %s" % (where, nxt, name))
                val.append({"n": "\n"}.get(nxt, nxt))
                pos += 2
            else:
                val.append(s[pos])
                pos += 1
        if pos >= len(s):
            errors.append("%s: unterminated value of %s" % (where, name))
            return labels, None
        pos += 1
        labels.append((name, "".join(val)))
        if name.startswith("__"):
            errors.append("%s: reserved label name %s" % (where, name))
        if s[pos:pos + 1] == ",":
            pos += 1
        elif s[pos:pos + 1] != "}":
            errors.append("%s: expected , or } after %s" % (where, name))
            return labels, None


def parse_value(v):
    if v in ("NaN", "+Inf", "-Inf", "Inf"):
        return True
    try:
        return not math.isnan(float(v)) or True
    except ValueError:
        return False


def main():
    om = "--openmetrics" in sys.argv[1:]
    data = sys.stdin.buffer.read()
    errors = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s" % e)
        return 1
    if not text.endswith("\n"):
        errors.append("does not end with a newline")
    lines = text.split("\n")[:-1]
    families = {}     # name -> {"help", "type", "done"}
    current = None
    series = set()
    seen_eof = False
    for n, line in enumerate(lines, 1):
        where = "line %d" % n
        if seen_eof:
            errors.append("%s: text after # EOF" % where)
            break
        if line == "":
            errors.append("%s: empty line" % where)
            continue
        if line.startswith("#"):
            if om and line == "# EOF":
                seen_eof = True
                continue
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    errors.append("%s: bad metric name %r" % (where, name))
                fam = families.setdefault(name, {"help": None, "type": None, "done": False,
                                                 "samples": 0})
                if fam["done"] or fam["samples"]:
                    errors.append("%s: %s of %s after its samples" % (where, parts[1], name))
                key = parts[1].lower()
                if fam[key] is not None:
                    errors.append("%s: second %s for %s" % (where, parts[1], name))
                fam[key] = parts[3] if len(parts) > 3 else ""
                if key == "type" and fam[key] not in (TYPES_OM if om else TYPES_TEXT):
                    errors.append("%s: unknown type %r" % (where, fam[key]))
                if current and current != name:
                    families[current]["done"] = True
                current = name
            elif om:
                errors.append("%s: OpenMetrics allows no other comments" % where)
            continue
        m = NAME.match(line)
        if not m:
            errors.append("%s: bad sample %r" % (where, line[:40]))
            continue
        sname = m.group(0)
        pos = m.end()
        labels = []
        if line[pos:pos + 1] == "{":
            labels, pos = parse_labels(line, pos, errors, where)
            if pos is None:
                continue
        rest = line[pos:]
        if not rest.startswith(" "):
            errors.append("%s: no space before the value" % where)
            continue
        fields = rest[1:].split(" ")
        if len(fields) > 2 or not parse_value(fields[0]):
            errors.append("%s: bad value %r" % (where, rest))
        names = [k for k, _ in labels]
        if len(set(names)) != len(names):
            errors.append("%s: a label twice" % where)
        key = (sname, tuple(sorted(labels)))
        if key in series:
            errors.append("%s: duplicate series %s%s" % (where, sname, labels))
        series.add(key)
        # Which family does the sample belong to?
        fam_name = sname
        if om:
            for t, sufs in SUFFIX_OM.items():
                for suf in sufs:
                    base = sname[:-len(suf)] if sname.endswith(suf) else None
                    if base and base in families and families[base]["type"] == t:
                        fam_name = base
        fam = families.get(fam_name)
        if fam is None or fam["type"] is None or fam["help"] is None:
            errors.append("%s: %s has no # HELP and # TYPE before it" % (where, sname))
            continue
        if fam["done"]:
            errors.append("%s: samples of %s are not contiguous" % (where, fam_name))
        if current != fam_name:
            if current:
                families[current]["done"] = True
            current = fam_name
        fam["samples"] += 1
        t = fam["type"]
        if om and t == "counter" and not sname.endswith("_total"):
            errors.append("%s: OpenMetrics counter sample %s lacks _total" % (where, sname))
        if om and t == "counter" and fam_name.endswith("_total"):
            errors.append("%s: OpenMetrics counter family %s ends in _total" % (where, fam_name))
        if om and t == "info" and (not sname.endswith("_info") or fields[0] != "1"):
            errors.append("%s: info sample must be NAME_info ... 1" % where)
        if om and t == "counter" and fields[0].startswith("-"):
            errors.append("%s: negative counter" % where)
        if not om and t == "counter" and not sname.endswith("_total"):
            errors.append("%s: counter %s should end in _total" % (where, sname))
    if om and not seen_eof:
        errors.append("OpenMetrics text must end with # EOF")
    for name, fam in families.items():
        if fam["type"] is None or fam["help"] is None:
            errors.append("%s: missing # HELP or # TYPE" % name)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
