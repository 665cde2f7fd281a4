"""Where a V8 CPU profile (`node --cpu-prof`, e.g. `portal_search.py --profile-portal DIR`) spent its time:
the top functions by self time, self time by package or file, and the share of chosen frames (inclusive).

    python bench/cpuprofile.py PROFILE.cpuprofile [--last 15] [--top 30] [--frames undici zlib search_page ...]

--last keeps the samples of the last N seconds only (the load, not the server's start-up). Percentages are of the
busy time (idle samples left out), so the figures of a run under load and a quiet one compare.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from collections import Counter
from pathlib import Path


def package_of(url: str, function: str) -> str:
    if not url:
        return function or "(native)"
    found = re.search(r"node_modules/((?:@[^/]+/)?[^/]+)/(.*)", url)
    if found:
        name, rest = found.groups()
        return f"next/{'/'.join(rest.split('/')[:4])}" if name == "next" else name
    if url.startswith("node:"):
        return url
    return url.rsplit("/.next/", 1)[-1][:70]  # the app's own compiled chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--last", type=float, default=0.0, help="only the last N seconds (0: all)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", nargs="*", default=[], help="regexes of `function@url` to total inclusively")
    args = parser.parse_args()

    profile = json.loads(args.profile.read_text())
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    times = list(itertools.accumulate(profile["timeDeltas"]))
    since = times[-1] - args.last * 1e6 if args.last else -1
    spent: Counter[int] = Counter()
    for sample, delta, at in zip(profile["samples"], profile["timeDeltas"], times, strict=True):
        if at >= since:
            spent[sample] += delta

    def frame(node_id: int) -> dict[str, str]:
        return nodes[node_id]["callFrame"]

    busy = sum(t for node_id, t in spent.items() if frame(node_id)["functionName"] != "(idle)")
    idle = sum(spent.values()) - busy
    print(f"{args.profile.name}: {busy / 1000:.0f} ms busy, {idle / 1000:.0f} ms idle")
    by_function: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    by_frames: Counter[str] = Counter()
    patterns = [re.compile(pattern) for pattern in args.frames]
    for node_id, t in spent.items():
        call = frame(node_id)
        if call["functionName"] == "(idle)":
            continue
        where = call["url"].rsplit("/", 1)[-1][:50]
        by_function[f"{call['functionName'] or '(anonymous)'} {where}:{call['lineNumber']}:{call['columnNumber']}"] += t
        by_package[package_of(call["url"], call["functionName"])] += t
        stack, current = [], node_id
        while current is not None:
            stack.append(f"{frame(current)['functionName']}@{frame(current)['url']}")
            current = parent.get(current)
        for pattern in patterns:
            if any(pattern.search(each) for each in stack):
                by_frames[pattern.pattern] += t
    for title, counter in (("self time by function", by_function), ("self time by package or file", by_package)):
        print(f"-- {title}")
        for name, t in counter.most_common(args.top):
            print(f"  {t / busy:6.1%} {t / 1000:8.1f} ms  {name}")
    if patterns:
        print("-- inclusive, frames matching")
        for pattern in patterns:
            t = by_frames[pattern.pattern]
            print(f"  {t / busy:6.1%} {t / 1000:8.1f} ms  {pattern.pattern}")


if __name__ == "__main__":
    main()
