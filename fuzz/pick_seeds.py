#!/usr/bin/env python3
"""Picks a target's committed seeds (fuzz/seeds/<target>/) from a grown corpus, within a byte
budget.

libFuzzer's set-cover merge writes, in its control file, the edges (COV) and features (FT)
each input reaches. This reads that file and picks, greedily, first the inputs that add the
most edges not yet reached per byte (plus 128 bytes a file), then those that add the most
features, skipping any input that would pass the budget; it prints the chosen paths.

    fuzz/target/x86_64-unknown-linux-gnu/release/TARGET -set_cover_merge=1 \\
        -merge_control_file=ctl -rss_limit_mb=4096 -max_len=65536 EMPTY_DIR fuzz/corpus/TARGET
    python3 fuzz/pick_seeds.py ctl 262144 | xargs cp -t fuzz/seeds/TARGET/

(the target built by `cargo fuzz build TARGET`, in CARGO_TARGET_DIR if set). Then
`fuzz/run.sh --replay TARGET` runs the seeds once, printing their coverage.
"""
import sys

OVERHEAD = 128


def main() -> None:
    control, budget = sys.argv[1], int(sys.argv[2])
    lines = open(control, errors="replace").read().split("\n")
    count = int(lines[0])
    paths = lines[2 : 2 + count]
    size, features, edges = {}, {}, {}
    for line in lines[2 + count :]:
        words = line.split()
        if not words:
            continue
        index = int(words[1])
        if words[0] == "STARTED":
            size[index] = int(words[2])
        elif words[0] == "FT":
            features[index] = set(words[2:])
        elif words[0] == "COV":
            edges[index] = set(words[2:])
    chosen, used = [], 0

    def cover(sets: dict) -> set:
        nonlocal used
        covered = set().union(*(sets.get(i, set()) for i in chosen))
        left = set(sets) - set(chosen)
        while left:
            best = max(left, key=lambda i: (len(sets[i] - covered) / (size[i] + OVERHEAD), -size[i]))
            if not sets[best] - covered:
                break
            left.discard(best)
            if used + size[best] > budget:
                continue
            covered |= sets[best]
            chosen.append(best)
            used += size[best]
        return covered

    reached_edges, reached_features = cover(edges), cover(features)
    all_edges, all_features = set().union(*edges.values()), set().union(*features.values())
    print(
        f"{control}: {len(chosen)} of {len(size)} inputs, {used} bytes, "
        f"edges {len(reached_edges)} of {len(all_edges)}, "
        f"features {len(reached_features)} of {len(all_features)}",
        file=sys.stderr,
    )
    for index in chosen:
        print(paths[index])


if __name__ == "__main__":
    main()
