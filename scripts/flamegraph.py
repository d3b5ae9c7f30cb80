#!/usr/bin/env python3
"""A flame graph from `perf script` output, without tools outside Debian and the standard library:

  perf record -F 499 -g -p PID -o perf.data -- sleep 10
  perf script -i perf.data | scripts/flamegraph.py "title" > flame.svg

Stacks are folded (root first, one line per distinct stack with its sample count), then drawn as
an SVG of nested boxes whose widths are their share of the samples; hovering a box shows its
function and share. Also prints, on stderr, the functions with the most samples of their own
(the top of the stacks): where the CPU goes, in text."""
import collections
import html
import re
import sys

WIDTH, ROW, FONT = 1600, 16, 11


def folded(lines):
    """perf script's samples as {stack (root first, ';'-joined): samples}."""
    stacks, frames = collections.Counter(), []
    for line in lines + [""]:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                stacks[";".join(reversed(frames))] += 1
            frames = []
        elif line.startswith((" ", "\t")):
            parts = line.strip().split(" ", 1)
            symbol = parts[1] if len(parts) > 1 else parts[0]
            symbol = re.sub(r"\+0x[0-9a-f]+", "", symbol)
            symbol = re.sub(r" \(.*\)$", "", symbol).strip() or "[unknown]"
            frames.append(symbol)
        else:
            frames = []
    return stacks


def tree(stacks):
    root = {"name": "all", "value": 0, "children": {}}
    for stack, count in stacks.items():
        root["value"] += count
        node = root
        for frame in stack.split(";"):
            node = node["children"].setdefault(frame, {"name": frame, "value": 0, "children": {}})
            node["value"] += count
    return root


def colour(name):
    hashed = sum(ord(c) for c in name)
    return f"rgb({205 + hashed % 50},{80 + hashed % 120},{40 + hashed % 40})"


def draw(node, x, depth, total, out, height):
    width = node["value"] / total * WIDTH
    if width < 0.5:
        return
    y = height - (depth + 1) * ROW
    label = html.escape(node["name"])
    share = 100 * node["value"] / total
    out.append(f'<g><title>{label} ({node["value"]} samples, {share:.2f} %)</title>'
               f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" fill="{colour(node["name"])}"/>')
    if width > 40:
        text = html.escape(node["name"][: int(width / 6.5)])
        out.append(f'<text x="{x + 3:.1f}" y="{y + ROW - 4}" font-size="{FONT}" font-family="monospace">{text}</text>')
    out.append("</g>")
    for child in sorted(node["children"].values(), key=lambda c: c["name"]):
        draw(child, x, depth + 1, total, out, height)
        x += child["value"] / total * WIDTH


def depth_of(node):
    return 1 + max((depth_of(child) for child in node["children"].values()), default=0)


def main():
    title = sys.argv[1] if len(sys.argv) > 1 else "flame graph"
    stacks = folded(sys.stdin.readlines())
    if not stacks:
        raise SystemExit("flamegraph: no samples in the input (was perf record given -g?)")
    root = tree(stacks)
    height = (depth_of(root) + 2) * ROW
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
           f'<text x="4" y="{ROW - 3}" font-size="13" font-family="sans-serif">{html.escape(title)} — {root["value"]} samples</text>']
    draw(root, 0, 0, root["value"], out, height)
    out.append("</svg>")
    print("\n".join(out))
    leaves = collections.Counter()
    for stack, count in stacks.items():
        leaves[stack.rsplit(";", 1)[-1]] += count
    print(f"{title}: the 25 functions with the most samples of their own ({root['value']} samples)", file=sys.stderr)
    for name, count in leaves.most_common(25):
        print(f"  {100 * count / root['value']:5.1f} %  {name[:140]}", file=sys.stderr)


if __name__ == "__main__":
    main()
