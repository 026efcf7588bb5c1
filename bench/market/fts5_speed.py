#!/usr/bin/env python3
"""The FTS5 reference for the 1M-listing benchmark.

Usage: bench/market/fts5_speed.py LISTINGS.jsonl DEMANDS.jsonl DBFILE

Builds a contentless FTS5 index (porter) over title and description of every
listing, timing the build and reporting the index's size on disk, then runs
each demand as an OR query ranked by bm25() with LIMIT 10 and reports p50/p99.
Prints one JSON line.
"""
import json, os, re, sqlite3, sys, time

lpath, dpath, dbfile = sys.argv[1:4]
for ext in ("", "-wal", "-shm", "-journal"):
    if os.path.exists(dbfile + ext):
        os.remove(dbfile + ext)
db = sqlite3.connect(dbfile)
db.execute("PRAGMA journal_mode=OFF")
db.execute("PRAGMA synchronous=OFF")
db.execute("CREATE VIRTUAL TABLE d USING fts5(title, body, content='', tokenize='porter')")

def rows():
    with open(lpath) as f:
        for i, line in enumerate(f, 1):
            r = json.loads(line)
            yield (i, r["title"], r.get("description", ""))

t0 = time.time()
db.execute("BEGIN")
db.executemany("INSERT INTO d (rowid, title, body) VALUES (?, ?, ?)", rows())
db.execute("COMMIT")
build = time.time() - t0
size = os.path.getsize(dbfile)
lat = []
for line in open(dpath):
    words = re.findall(r"\w+", json.loads(line)["title"])
    expr = " OR ".join('"%s"' % w for w in words)
    t = time.perf_counter()
    db.execute("SELECT rowid FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 10", (expr,)).fetchall()
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print(json.dumps({"fts5_build_s": round(build, 1), "fts5_index_mib": round(size / 2**20, 1),
                  "fts5_queries": len(lat), "fts5_p50_ms": round(lat[len(lat) // 2], 2),
                  "fts5_p99_ms": round(lat[int(len(lat) * 0.99)], 2),
                  "fts5_mean_ms": round(sum(lat) / len(lat), 2)}))
