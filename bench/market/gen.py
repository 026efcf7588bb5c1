#!/usr/bin/env python3
"""Generate N listings and Q demands with a realistic vocabulary.

Usage: bench/market/gen.py N Q LISTINGS.jsonl DEMANDS.jsonl [SEED]

The vocabulary and its Zipf-like frequencies are those of the words of the CISI
and CACM abstracts (about 15k English technical words), so term statistics look
like real technical text. Listings: a 6-12 word title and a 40-70 word
description (about 60 words), a technical field
and TRL. Demands: 3-8 content words (no stop words), drawn by frequency.
"""
import bisect, itertools, json, os, random, re, sys

IR = "/work/shared/data/ir"
STOP = set("a an and are as at be by for from has have in is it its of on or that the this to was were which with".split())

def vocabulary():
    counts = {}
    for c in ("cisi", "cacm"):
        with open(os.path.join(IR, c, "docs.tsv"), encoding="utf-8") as f:
            for line in f:
                for w in re.findall(r"[a-z]+", line.lower()):
                    if len(w) > 1:
                        counts[w] = counts.get(w, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, [counts[w] for w in words]

def main():
    n, q, lpath, dpath = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 42)
    words, freq = vocabulary()
    cum = list(itertools.accumulate(freq))
    total = cum[-1]
    def draw(k):
        return [words[bisect.bisect(cum, rnd.random() * total)] for _ in range(k)]
    fields = ["electronic_information", "advanced_manufacturing", "new_energy", "new_materials",
              "biomedicine", "environment"]
    with open(lpath, "w") as f:
        for i in range(n):
            r = {"ref": "L%07d" % i, "title": " ".join(draw(rnd.randint(6, 12))).capitalize(),
                 "description": " ".join(draw(rnd.randint(40, 70))).capitalize() + ".",
                 "field": fields[i % len(fields)], "trl": 1 + i % 9}
            f.write(json.dumps(r) + "\n")
    content = [(w, c) for w, c in zip(words, freq) if w not in STOP]
    ccum = list(itertools.accumulate(c for _, c in content))
    with open(dpath, "w") as f:
        for i in range(q):
            k = rnd.randint(3, 8)
            ws = [content[bisect.bisect(ccum, rnd.random() * ccum[-1])][0] for _ in range(k)]
            f.write(json.dumps({"ref": "D%05d" % i, "title": " ".join(ws)}) + "\n")

main()
