#!/usr/bin/env python3
"""CPU of one process by thread group, in time windows: where an idle (or lightly loaded) node's CPU goes.

    idle_cpu.py --pid PID --window LABEL:FROM:TO [--window ...] --out FILE.json
    idle_cpu.py --table DIR      the median of DIR/run-*/*.json by window, as a markdown table

FROM and TO are seconds from the moment this script starts. At every window edge it reads each thread's user and
system time from /proc (clock ticks, so a 10 s window resolves 0.1 % of a core) and the process's RSS; it prints one
line per window and writes them all as JSON. Threads are grouped by the name the kernel keeps (15 characters):
event loops, Hazelcast, the JIT compiler, the VM thread (safepoints, and collections with the serial collector),
and the rest, each as % of one core. Standard library only.
"""
import argparse
import json
import os
import sys
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GROUPS = [
    ("event_loops", lambda n: n.startswith("vert.x-eventloo")),
    ("hazelcast", lambda n: n.startswith("hz.")),
    ("jit", lambda n: "CompilerThre" in n or n.startswith("Sweeper")),
    ("vm_gc", lambda n: n in ("VM Thread", "VM Periodic Tas") or n.startswith("GC Thread") or n.startswith("G1 ")),
]


def group_of(name):
    for group, matches in GROUPS:
        if matches(name):
            return group
    return "other"


def snapshot(pid):
    """{tid: (group, user ticks, system ticks)} and the process's RSS in KB; None once the process is gone."""
    threads = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return None, 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile: its time is lost to both edges alike
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        threads[tid] = (group_of(name), int(fields[11]), int(fields[12]))
    rss_kb = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
    except FileNotFoundError:
        pass
    return threads, rss_kb


def usage(before, after, seconds):
    """% of one core between two snapshots: total, user, system and by group (threads born in between count whole)."""
    per_group = {g: 0 for g, _ in GROUPS}
    per_group["other"] = 0
    user = system = 0
    for tid, (group, u, s) in after.items():
        _, u0, s0 = before.get(tid, (group, 0, 0))
        user += u - u0
        system += s - s0
        per_group[group] += (u - u0) + (s - s0)
    pct = lambda ticks: round(100.0 * ticks / CLOCK_TICKS / seconds, 2)
    return {"total": pct(user + system), "user": pct(user), "system": pct(system),
            "groups": {g: pct(t) for g, t in per_group.items()}}


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def table(folder):
    """Median of the runs' windows (by label, in the order first seen) and each run's total."""
    by_label = {}
    runs = sorted((d for d in os.listdir(folder) if d.startswith("run-")), key=lambda d: int(d[4:]))
    for run in runs:
        for name in ("quiet.json", "publish.json"):
            path = os.path.join(folder, run, name)
            if os.path.exists(path):
                with open(path) as f:
                    for w in json.load(f):
                        by_label.setdefault(w["label"], []).append(w)
    if not by_label:
        sys.exit(f"idle_cpu: no run-*/*.json in {folder}")
    groups = [g for g, _ in GROUPS] + ["other"]
    head = ["window", "runs", "total", "user", "system"] + groups + ["RSS MB", "each run's total"]
    lines = ["CPU in % of one core and RSS at the window's end; the median of the runs.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, ws in by_label.items():
        cells = [label, str(len(ws))]
        cells += [f"{median([w[k] for w in ws]):.2f}" for k in ("total", "user", "system")]
        cells += [f"{median([w['groups'][g] for w in ws]):.2f}" for g in groups]
        cells += [f"{median([w['rss_mb'] for w in ws]):.1f}", ", ".join(f"{w['total']:.2f}" for w in ws)]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pid", type=int)
    ap.add_argument("--window", action="append", help="LABEL:FROM:TO, seconds from start")
    ap.add_argument("--out")
    ap.add_argument("--table", metavar="DIR")
    a = ap.parse_args()
    if a.table:
        table(a.table)
        return
    if not (a.pid and a.window and a.out):
        ap.error("--pid, --window and --out (or --table)")
    windows = []
    for w in a.window:
        label, start, end = w.rsplit(":", 2)
        start, end = float(start), float(end)
        if not 0 <= start < end <= 3600:
            sys.exit(f"idle_cpu: window {w}: need 0 <= FROM < TO <= 3600")
        windows.append((label, start, end))
    t0 = time.monotonic()
    edges = {}
    for edge in sorted({t for _, s, e in windows for t in (s, e)}):
        time.sleep(max(0.0, t0 + edge - time.monotonic()))
        taken_at = time.monotonic()
        threads, rss_kb = snapshot(a.pid)
        if threads is None:
            sys.exit(f"idle_cpu: pid {a.pid} is gone at {edge:.0f} s")
        edges[edge] = (taken_at, threads, rss_kb)
    results = []
    for label, start, end in windows:
        t_start, before, _ = edges[start]
        t_end, after, rss_kb = edges[end]
        r = usage(before, after, t_end - t_start)
        r.update(label=label, seconds=round(t_end - t_start, 2), rss_mb=round(rss_kb / 1024, 1))
        results.append(r)
        groups = " ".join(f"{g}={v:.2f}" for g, v in r["groups"].items())
        print(f"{label:>12} {r['seconds']:5.1f} s: {r['total']:5.2f} % of a core (user {r['user']:.2f}, "
              f"system {r['system']:.2f}) {groups} RSS {r['rss_mb']} MB", flush=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
