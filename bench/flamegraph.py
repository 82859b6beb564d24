#!/usr/bin/env python3
"""Turns `perf script` output into a flame graph (SVG), for docs/PERFORMANCE.md.

    perf record -F 999 -g -p PID -- sleep 10
    perf script | bench/flamegraph.py --title "GET /tickets" > flame.svg

Brendan Gregg's FlameGraph scripts (the usual tool) are neither in Debian nor reachable
from here, so this is the same idea in one file: stacks are folded (root first), counted,
and drawn as nested boxes whose width is the share of samples. Frames are coloured by
module (ours, SQLite, Boost, libc/kernel) so a reader sees at a glance whose time it is.
"""

import argparse
import collections
import html
import re
import sys

WIDTH = 1200
ROW = 16
FONT = 11
MIN_WIDTH = 0.3  # pixels: narrower frames are left out


def fold(lines):
    """`perf script` text → Counter of 'root;...;leaf' stacks."""
    stacks = collections.Counter()
    frames = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                stacks[";".join(reversed(frames))] += 1
                frames = []
            continue
        if not line.startswith((" ", "\t")):
            frames = []  # a sample's header line: "comm pid time: period event:"
            continue
        parts = line.strip().split(" ", 1)
        symbol = parts[1] if len(parts) > 1 else parts[0]
        symbol = re.sub(r"\+0x[0-9a-f]+ ", " ", symbol)
        symbol = re.sub(r" \(.*\)$", "", symbol)
        frames.append(shorten(symbol))
    if frames:
        stacks[";".join(reversed(frames))] += 1
    return stacks


def shorten(symbol):
    """Drops template arguments and parameter lists, which make C++ names unreadable."""
    out, depth = [], 0
    for char in symbol:
        if char in "<(":
            if depth == 0:
                out.append("<>" if char == "<" else "()")
            depth += 1
        elif char in ">)":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out).replace("()()", "()")[:160]


def colour(name):
    if "tb::" in name:
        return "#e8864a"
    if "sqlite" in name:
        return "#6aa84f"
    if "boost::" in name:
        return "#5b8fd4"
    if name.startswith(("[unknown]", "entry_", "__x64", "do_", "tcp_", "ip_")) or "kernel" in name:
        return "#b5b5b5"
    return "#e0c14b"


def render(stacks, title):
    tree = {"name": "all", "count": 0, "children": {}}
    for stack, count in stacks.items():
        node = tree
        node["count"] += count
        for frame in stack.split(";"):
            node = node["children"].setdefault(frame, {"name": frame, "count": 0, "children": {}})
            node["count"] += count
    total = max(tree["count"], 1)
    boxes = []

    def depth_of(node):
        return 1 + max((depth_of(child) for child in node["children"].values()), default=0)

    depth = depth_of(tree)
    height = (depth + 2) * ROW + 20

    def walk(node, x, level):
        width = node["count"] / total * WIDTH
        if width < MIN_WIDTH:
            return
        y = height - (level + 1) * ROW - 4
        share = 100.0 * node["count"] / total
        label = node["name"]
        chars = int(width / (FONT * 0.6))
        text = label if len(label) <= chars else (label[: max(chars - 2, 0)] + ".." if chars > 3 else "")
        boxes.append(
            f'<g><title>{html.escape(label)} ({share:.1f}%, {node["count"]} samples)</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" '
            f'fill="{colour(label)}" rx="2"/>'
            f'<text x="{x + 3:.1f}" y="{y + ROW - 4}">{html.escape(text)}</text></g>'
        )
        child_x = x
        for child in sorted(node["children"].values(), key=lambda c: c["name"]):
            walk(child, child_x, level + 1)
            child_x += child["count"] / total * WIDTH

    walk(tree, 0.0, 0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="monospace" font-size="{FONT}">'
        f'<rect width="100%" height="100%" fill="#fdfdf8"/>'
        f'<text x="6" y="15" font-size="13">{html.escape(title)} — {total} samples; '
        f"orange: ticketbot, green: SQLite, blue: Boost, yellow: C/C++ runtime, grey: kernel</text>"
        + "".join(boxes)
        + "</svg>\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", default="flame graph")
    parser.add_argument("--folded", help="also write the folded stacks to this file")
    args = parser.parse_args()
    stacks = fold(sys.stdin)
    if args.folded:
        with open(args.folded, "w") as out:
            for stack, count in stacks.most_common():
                out.write(f"{stack} {count}\n")
    sys.stdout.write(render(stacks, args.title))


if __name__ == "__main__":
    main()
