#!/usr/bin/env python3
"""Render bench/run's raw results into a summary (stdout) and bench/RESULTS.md.

usage: bench/report.py RAW.txt RESULTS.md

RAW.txt holds one `key value...` per line; a key given several times (one per
repetition) is summarised by its median. Keys starting with meta. and cmd. are text.
"""
import statistics
import sys
from collections import defaultdict


def load(path):
    nums, text = defaultdict(list), {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            key, _, val = line.partition(" ")
            if key.startswith(("meta.", "cmd.")):
                text[key] = val if key not in text or key.startswith("meta.") else text[key] + "\n" + val
            else:
                nums[key].append(float(val))
    return nums, text


def main():
    nums, text = load(sys.argv[1])

    def med(k):
        v = nums.get(k)
        return statistics.median(v) if v else None

    def runs(k, scale=1.0, fmt="{:.0f}"):
        v = nums.get(k)
        return ", ".join(fmt.format(x * scale) for x in v) if v else "-"

    rows = []  # measure, ours, reference, ratio, target, verdict, runs

    ng_rps, ng_p99 = med("nginx.rps"), med("nginx.p99_us")
    for key, label, tgt in [
        ("get_sqlite", "GET /organisations/{id}, SQLite", True),
        ("get_sqlite_log", "GET /organisations/{id}, SQLite, access log to a file", False),
        ("get_pg", "GET /organisations/{id}, PostgreSQL", False),
        ("list_sqlite", "GET /organisations?region=320000&limit=50, SQLite", False),
        ("list_pg", "GET /organisations?region=320000&limit=50, PostgreSQL", False),
        ("narrow_sqlite", "GET /organisations?region=320505&limit=50 (no match), SQLite", False),
        ("narrow_pg", "GET /organisations?region=320505&limit=50 (no match), PostgreSQL", False),
    ]:
        rps, p99 = med(f"{key}.rps"), med(f"{key}.p99_us")
        if rps is None:
            continue
        ok = (rps / ng_rps >= 0.5) if tgt and ng_rps else None
        rows.append((f"{label}: throughput (req/s)", f"{rps:.0f}", f"{ng_rps:.0f} (nginx static)",
                     f"{rps / ng_rps:.2f}", ">= 0.5x nginx" if tgt else "reported",
                     "-" if ok is None else ("PASS" if ok else "FAIL"), runs(f"{key}.rps")))
        ok = (p99 < 10000) if tgt else None
        rows.append((f"{label}: p99 latency (ms)", f"{p99 / 1000:.2f}", f"{ng_p99 / 1000:.2f} (nginx static)",
                     f"{p99 / ng_p99:.2f}", "< 10 ms" if tgt else "reported",
                     "-" if ok is None else ("PASS" if ok else "FAIL"),
                     runs(f"{key}.p99_us", 0.001, "{:.2f}")))
        errs = sum(nums.get(f"{key}.errors", [])) + sum(nums.get(f"{key}.status_errors", []))
        if errs:
            rows.append((f"{label}: socket/status errors", f"{errs:.0f}", "0", "-", "0", "FAIL", ""))
    if ng_rps is not None:
        rows.append(("nginx static JSON (reference): throughput / p99", f"{ng_rps:.0f} req/s / {ng_p99 / 1000:.2f} ms",
                     "-", "-", "reference", "-", runs("nginx.rps")))

    imp, plain, idx = med("import_sqlite.s"), med("sqlite3_import_plain.s"), med("sqlite3_import_indexed.s")
    if imp is not None and plain:
        rows.append((f"import {text.get('meta.rows', '?')} enterprises, SQLite (s)", f"{imp:.2f}",
                     f"{plain:.2f} (sqlite3 .import, new table)", f"{imp / plain:.2f}", "<= 2x sqlite3 .import",
                     "PASS" if imp / plain <= 2 else "FAIL", runs("import_sqlite.s", fmt="{:.2f}")))
    if imp is not None and idx:
        rows.append(("import, SQLite, vs a table with our indexes (s)", f"{imp:.2f}",
                     f"{idx:.2f} (sqlite3 .import, indexed table)", f"{imp / idx:.2f}", "reported", "-",
                     runs("sqlite3_import_indexed.s", fmt="{:.2f}") + " (reference runs)"))
    pimp, pcopy = med("import_pg.s"), med("psql_copy.s")
    if pimp is not None and pcopy:
        rows.append((f"import {text.get('meta.pg_import_rows', '?')} enterprises, PostgreSQL (s)", f"{pimp:.2f}",
                     f"{pcopy:.2f} (psql \\copy, indexed table)", f"{pimp / pcopy:.2f}", "reported", "-",
                     runs("import_pg.s", fmt="{:.2f}")))
    for key, label, tgt in [("rss_sqlite", "server RSS after the wrk runs, SQLite", True),
                            ("rss_pg", "server RSS after the wrk runs, PostgreSQL", False)]:
        hwm, rss = med(f"{key}.hwm_kb"), med(f"{key}.rss_kb")
        if hwm is None:
            continue
        ok = hwm / 1024 < 150 if tgt else None
        rows.append((f"{label}: VmHWM / VmRSS (MB)", f"{hwm / 1024:.1f} / {rss / 1024:.1f}", "150 (limit)",
                     f"{hwm / 1024 / 150:.2f}", "VmHWM < 150 MB" if tgt else "reported",
                     "-" if ok is None else ("PASS" if ok else "FAIL"), ""))
    for key, label in [("audit_sqlite", "SQLite"), ("audit_pg", "PostgreSQL")]:
        a, r = med(f"{key}.s"), med(f"{key}_ref.s")
        if a is None:
            continue
        recs = text.get(f"meta.{key}_records", "?")
        rows.append((f"audit verify, {label}, {recs} records (s)", f"{a:.3f}",
                     f"{r:.3f} (read the audit log with the client)" if r else "-",
                     f"{a / r:.2f}" if r else "-", "reported", "-", runs(f"{key}.s", fmt="{:.3f}")))

    fails = [r for r in rows if r[5] == "FAIL"]
    out = []
    w = out.append
    w(f"# Benchmark results\n")
    w(f"Run on {text.get('meta.date', '?')} by `bench/run` (`make bench`), "
      f"techbridge {text.get('meta.version', '?')}, schema version {text.get('meta.schema', '?')}, "
      f"commit {text.get('meta.commit', '?')}.\n")
    w(f"Machine: {text.get('meta.nproc', '?')} CPUs, {text.get('meta.cpu', '?')}, "
      f"{text.get('meta.mem', '?')}; {text.get('meta.os', '?')}. "
      f"Tools: {text.get('meta.tools', '?')}.\n")
    w("The machine is shared and has 2 cores, so every throughput or time is given with a reference "
      "measured in the same run (nginx serving a static file, the sqlite3 / psql clients loading the "
      f"same CSV) and the ratio between them. Each figure is the median of {text.get('meta.reps', '?')} "
      "runs (the individual runs are in the last column); absolute limits (p99, RSS) are checked on "
      "the median. wrk, the server and the reference share the 2 cores.\n")
    w(f"Dataset: {text.get('meta.rows', '?')} enterprises generated by `bench/gen-orgs.py` "
      f"({text.get('meta.csv_bytes', '?')} bytes of CSV); typical GET response "
      f"{text.get('meta.resp_bytes', '?')} bytes of JSON, and nginx serves a static JSON file of that size. "
      f"{text.get('meta.pg_note', '')}\n")
    w(f"**{len(fails)} of {sum(1 for r in rows if r[5] in ('PASS', 'FAIL'))} targets failed**"
      + (": " + "; ".join(r[0] for r in fails) if fails else "") + ".\n")
    w("| measure | ours | reference | ratio | target | result | runs (ours) |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        w("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
    w("\n## Commands\n")
    w("```")
    for k in sorted(text):
        if k.startswith("cmd."):
            w(f"# {k[4:]}")
            w(text[k])
    w("```")
    w("\n## The other benchmarks\n")
    # bench/sync.sh's own line, kept when this file is regenerated
    try:
        with open("bench/RESULTS.md") as f:
            w("".join(x for x in f if x.startswith("- `bench/sync.sh`:")).rstrip("\n") or
              "- `bench/sync.sh`: the cost of `serve --sync full`; results in "
              "[RESULTS-sync.md](RESULTS-sync.md).")
    except OSError:
        pass
    w("- `bench/gradient.sh`: the reviewer's queue, public notices and statistics of the "
      "gradient cultivation with 1M enterprises and 100k applications; results in "
      "[RESULTS-gradient.md](RESULTS-gradient.md).")
    w("- `bench/evaluate.sh`: `techbridge evaluate` over 1M enterprises against parsing the "
      "same file; results in [RESULTS-evaluate.md](RESULTS-evaluate.md).")
    w("- `bench/market/run`: matchmaking relevance (CISI, CACM, CSL) and speed on 1M "
      "listings against SQLite FTS5; results in [market/RESULTS.md](market/RESULTS.md).")
    notes = text.get("meta.notes")
    if notes:
        w("\n## Notes\n")
        w(notes.replace("\\n", "\n"))
    md = "\n".join(out) + "\n"
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(md)
    # summary on stdout
    width = max(len(r[0]) for r in rows) if rows else 10
    print("\nsummary (median; ratio = ours / reference):")
    for r in rows:
        print(f"  {r[0]:<{width}}  {r[1]:>16}  ref {r[2]:<40} ratio {r[3]:>6}  {r[5]}")
    print(f"\n{len(fails)} target(s) failed; wrote {sys.argv[2]}")


if __name__ == "__main__":
    main()
