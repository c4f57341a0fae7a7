#!/usr/bin/env python3
"""Times commands for the benchmark scripts: wall time, CPU time and peak
memory of each run (from the kernel's rusage of the child), interleaving the
commands so that a noisy machine affects them alike. Prints one line per
command with the median of its runs, and ratios against the first (the
reference)."""

import json
import os
import statistics
import subprocess
import sys
import time


def rusage(argv, cwd, env):
    """Runs argv once under wait4 to read its CPU time and peak RSS."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=devnull)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, out


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
