#!/usr/bin/env python3
"""Renders collapsed stacks ("frame;frame;frame count" per line, as async-profiler's `collapsed`
output writes them) as a flame graph in SVG: one box per frame, as wide as its share of the
samples, with the frame, its samples and its share in the box's tooltip.

    flamegraph.py [--title T] [--width PX] [--min-width PX] STACKS > graph.svg
"""
import argparse
import html
import sys
import zlib

ROW = 16


def parse(path):
    root = {"name": "all", "count": 0, "kids": {}}
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            node = root
            node["count"] += n
            for frame in stack.split(";"):
                node = node["kids"].setdefault(frame, {"name": frame, "count": 0, "kids": {}})
                node["count"] += n
    return root


def depth(node):
    return 1 + max((depth(k) for k in node["kids"].values()), default=0)


def colour(name):
    """Java frames green, kernel frames orange, native (C, C++, JVM) frames red, hashed shades."""
    h = zlib.crc32(name.encode()) % 55
    if name.endswith("_[k]"):
        return f"rgb({200 + h},{120 + h},40)"
    if "." in name or "/" in name or name.endswith(("_[j]", "_[i]")):
        return f"rgb({50 + h},{170 + h},{50 + h // 2})"
    return f"rgb({200 + h},{70 + h},{60 + h // 2})"


def render(root, title, width, min_width):
    rows = depth(root)
    height = rows * ROW + 40
    total = root["count"] or 1
    scale = (width - 20) / total
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="monospace" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#fafafa"/>',
        f'<text x="{width // 2}" y="18" text-anchor="middle" font-size="14">'
        f"{html.escape(title)} ({total} samples)</text>",
    ]

    def box(node, x, level):
        w = node["count"] * scale
        if w < min_width:
            return
        y = height - (level + 1) * ROW - 4
        share = 100.0 * node["count"] / total
        label = html.escape(node["name"])
        out.append(
            f'<g><title>{label} ({node["count"]} samples, {share:.2f}%)</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 1}" '
            f'fill="{colour(node["name"])}" rx="2"/>'
        )
        chars = int(w / 6.6)
        if chars >= 3:
            text = node["name"] if len(node["name"]) <= chars else node["name"][: chars - 2] + ".."
            out.append(f'<text x="{x + 3:.1f}" y="{y + 11}">{html.escape(text)}</text>')
        out.append("</g>")
        kx = x
        for kid in sorted(node["kids"].values(), key=lambda k: k["name"]):
            box(kid, kx, level + 1)
            kx += kid["count"] * scale

    box(root, 10.0, 0)
    out.append("</svg>")
    return "\n".join(out)


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("stacks")
    args.add_argument("--title", default="flame graph")
    args.add_argument("--width", type=int, default=1600)
    args.add_argument("--min-width", type=float, default=0.5)
    a = args.parse_args()
    sys.stdout.write(render(parse(a.stacks), a.title, a.width, a.min_width) + "\n")


if __name__ == "__main__":
    main()
