#!/usr/bin/env python3
"""Relevance of `techbridge match` against an SQLite FTS5 bm25() baseline.

Usage: bench/market/relevance.py BIN WORKDIR COLLECTION_DIR NAME [QUERIES_FILE]

Documents become listings (ref, title, description), queries demands; both are
written as JSON Lines, imported/matched with BIN, and scored with nDCG@10 and
recall@100 from the TREC run. The baseline indexes the same title and text in
FTS5 (porter tokenizer; unicode61 does not split CJK, so for CJK text it gets
the trigram tokenizer's nearest equivalent: the text pre-split into characters)
and ranks an OR of the query's words by bm25(). Prints one JSON line.
"""
import json, math, os, re, sqlite3, subprocess, sys, time

def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows.append(p)
    return rows

def qrels_of(path):
    q = {}
    for p in read_tsv(path):
        if len(p) >= 3 and int(p[2]) > 0:
            q.setdefault(p[0], {})[p[1]] = int(p[2])
    return q

def split_title(text, limit=150):
    """A demand needs a title: the first words of the query, the rest as description."""
    if len(text) <= limit:
        return text, ""
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > 0 else limit
    return text[:cut], text[cut:].strip()

def ndcg10(ranked, rel):
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0

def recall100(ranked, rel):
    return len(set(ranked[:100]) & set(rel)) / len(rel) if rel else 0.0

def evaluate(run, qrels):
    nd, rc = [], []
    for q, rel in qrels.items():
        ranked = run.get(q, [])
        nd.append(ndcg10(ranked, rel))
        rc.append(recall100(ranked, rel))
    return sum(nd) / len(nd), sum(rc) / len(rc)

CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

def fts_text(s):
    # unicode61 keeps a CJK run as one token; space the characters so that the
    # baseline matches characters (and phrases of them) instead of whole runs
    return CJK.sub(lambda m: " " + m.group(0) + " ", s)

def fts_query(text):
    words = re.findall(r"\w+", fts_text(text))
    return " OR ".join('"%s"' % w.replace('"', '""') for w in words)

def fts5_run(docs, queries, k=100):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE d USING fts5(ref UNINDEXED, title, body, tokenize='porter')")
    db.executemany("INSERT INTO d VALUES (?, ?, ?)",
                   [(p[0], fts_text(p[1]), fts_text(p[2] if len(p) > 2 else "")) for p in docs])
    run = {}
    for q in queries:
        expr = fts_query(q[1])
        if not expr:
            continue
        rows = db.execute("SELECT ref FROM d WHERE d MATCH ? ORDER BY bm25(d), ref LIMIT ?",
                          (expr, k)).fetchall()
        run[q[0]] = [r[0] for r in rows]
    return run

def main():
    binary, work, coll, name = sys.argv[1:5]
    qfile = sys.argv[5] if len(sys.argv) > 5 else "queries.tsv"
    docs = read_tsv(os.path.join(coll, "docs.tsv"))
    queries = read_tsv(os.path.join(coll, qfile))
    qrels = qrels_of(os.path.join(coll, "qrels.tsv"))
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, name + ".db")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    lf, qf = os.path.join(work, name + "-listings.jsonl"), os.path.join(work, name + "-demands.jsonl")
    with open(lf, "w", encoding="utf-8") as f:
        for p in docs:
            text = CTRL.sub(" ", p[2] if len(p) > 2 else "").strip()
            t, rest = split_title(CTRL.sub(" ", p[1]).strip() or p[0])
            r = {"ref": p[0], "title": t}
            if (rest + " " + text).strip():
                r["description"] = (rest + " " + text).strip()
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(qf, "w", encoding="utf-8") as f:
        for p in queries:
            t, d = split_title(p[1])
            r = {"ref": p[0], "title": t}
            if d:
                r["description"] = d
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    env = dict(os.environ, TECHBRIDGE_DB=db)
    subprocess.run([binary, "--db", db, "import", "listings", lf], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    t0 = time.time()
    out = subprocess.run([binary, "--db", db, "match", "--demands", qf, "--top", "100",
                          "--format", "trec"], check=True, capture_output=True, text=True).stdout
    t_tb = time.time() - t0
    run = {}
    for line in out.splitlines():
        q, _, d, rank, score, tag = line.split()
        run.setdefault(q, []).append(d)
    with open(os.path.join(work, name + ".trec"), "w") as f:
        f.write(out)
    t0 = time.time()
    base = fts5_run(docs, queries)
    t_fts = time.time() - t0
    n_tb, r_tb = evaluate(run, qrels)
    n_bm, r_bm = evaluate(base, qrels)
    print(json.dumps({"collection": name, "docs": len(docs), "queries": len(qrels),
                      "ndcg10": round(n_tb, 4), "recall100": round(r_tb, 4),
                      "fts5_ndcg10": round(n_bm, 4), "fts5_recall100": round(r_bm, 4),
                      "ratio": round(n_tb / n_bm, 3) if n_bm else None,
                      "seconds": round(t_tb, 2), "fts5_seconds": round(t_fts, 2)}))

main()
