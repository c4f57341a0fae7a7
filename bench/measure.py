#!/usr/bin/env python3
"""Times commands for the benchmark scripts: wall time, CPU time and peak
memory of each run (CPU and memory from GNU time), interleaving the
commands so that a noisy machine affects them alike. Prints one line per
command with the median of its runs, and ratios against the first (the
reference)."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def rusage(argv, cwd, env):
    """Runs argv once; returns wall time, CPU time, peak RSS (KiB), exit
    code and stdout. CPU and peak memory come from GNU time, which forks
    from a small process: a child forked from this Python process would
    report Python's own resident size as its peak."""
    with tempfile.NamedTemporaryFile("r") as stats, open(os.devnull, "wb") as devnull:
        wrapped = ["/usr/bin/time", "-q", "-f", "%U %S %M", "-o", stats.name] + argv
        start = time.perf_counter()
        proc = subprocess.run(wrapped, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=devnull)
        wall = time.perf_counter() - start
        fields = stats.read().split()
    user, system, rss = float(fields[-3]), float(fields[-2]), int(fields[-1])
    return wall, user + system, rss, proc.returncode, proc.stdout


def main():
    spec = json.load(sys.stdin)
    runs = int(spec.get("runs", 3))
    env = dict(os.environ)
    results = {c["name"]: {"wall": [], "cpu": [], "rss": [], "out": b"", "code": None} for c in spec["commands"]}
    for _ in range(runs):
        for c in spec["commands"]:
            wall, cpu, rss, code, out = rusage(c["argv"], c.get("cwd"), env)
            r = results[c["name"]]
            r["wall"].append(wall)
            r["cpu"].append(cpu)
            r["rss"].append(rss)
            r["out"], r["code"] = out, code
    ref = spec["commands"][0]["name"]
    ref_wall = statistics.median(results[ref]["wall"])
    size = spec.get("bytes")
    summary = {}
    for c in spec["commands"]:
        r = results[c["name"]]
        wall = statistics.median(r["wall"])
        cpu = statistics.median(r["cpu"])
        rss_mb = max(r["rss"]) / 1024
        line = f"{c['name']:<28} wall {wall * 1000:9.1f} ms  cpu {cpu * 1000:9.1f} ms  peak {rss_mb:7.1f} MB"
        if size:
            line += f"  {size / 1e6 / wall:8.1f} MB/s"
        line += f"  {wall / ref_wall:6.2f}x {ref}  (exit {r['code']}, median of {runs})"
        print(line)
        summary[c["name"]] = {"wall_ms": wall * 1000, "cpu_ms": cpu * 1000, "peak_mb": rss_mb, "stdout": r["out"].decode("utf-8", "replace")}
    if spec.get("summary"):
        with open(spec["summary"], "w") as f:
            json.dump(summary, f)


if __name__ == "__main__":
    main()
