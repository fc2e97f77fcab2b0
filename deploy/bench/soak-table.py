#!/usr/bin/env python3
"""The summary of a soak run (deploy/bench/soak.sh): reads DIR/samples.csv, DIR/clients.json and DIR/meta.txt and
prints markdown: per figure its value at the end of the warm-up, min / median / max after it, its value at the end,
the least-squares slope per hour after the warm-up, and a CHECK line per figure.

  soak-table.py DIR --warmup 300 --viewers 200 --ref-kbps 1050

"At warm-up end" and "at the end" are medians over a short window (60 s, or a fifth of the time after the warm-up
when that is shorter; at least one sample), so one collection or one churn burst does not decide them.
Figures that rise between collections and fall at each (heap used, heap after the last young collection, which
climbs until G1's next mixed collection, direct buffers, which are freed when the collector finds their owners) are
a sawtooth whose teeth say nothing about leaks: their rows are shown as measured and judged on their floor, the lowest
sample in each stretch of 300 s (or a third of the time after the warm-up when that is shorter) after the warm-up.
Tolerances (report, do not hide): a memory, descriptor or thread figure is OK when its end value is at most
1.2 x its warm-up value + a floor AND its slope would add at most 0.2 x the warm-up value + the floor in an hour;
WATCH when only the slope is over; FAIL when the end value is over. The node's CPU: end at most 1.25 x + 5 points.
Steady viewers connected: median at least 98 % and minimum at least 90 % of the viewers asked for. Per protocol, the
median over samples of the kbit/s per connected viewer at least 90 % of the clip's bitrate.
"""
import argparse
import csv
import json
import os
import statistics
import sys

# column, label, kind, floor (the absolute allowance in the column's unit)
FIGURES = [
    ("rss_mb", "RSS MB (VmRSS)", "mem", 16),
    ("heap_committed_mb", "heap committed MB (what G1 has taken; RSS follows it)", "info", 0),
    ("heap_after_gc_mb", "heap after GC MB (GC log, the last collection)", "saw", 16),
    ("live_data_mb", "old gen after the last marking or full GC MB (jvm_gc_live_data_size)", "mem", 16),
    ("heap_used_mb", "heap used MB (jvm_memory_used, area heap)", "saw", 32),
    ("nonheap_mb", "non-heap used MB (metaspace, code cache)", "mem", 8),
    ("direct_mb", "direct buffers MB (jvm_buffer_memory_used, direct)", "saw", 8),
    ("direct_buffers", "direct buffers (count)", "saw", 32),
    ("memory_held_mb", "memory held by Cascade MB (cascade_memory_held)", "mem", 8),
    ("gop_cache_mb", "GOP caches MB (cascade_gop_cache)", "mem", 8),
    ("http_packaged_mb", "packaged HTTP segments MB", "mem", 8),
    ("fds", "file descriptors (/proc/PID/fd)", "mem", 32),
    ("threads", "threads (/proc/PID/status)", "mem", 4),
    ("node_cpu_pct", "node CPU % of one core", "cpu", 5),
    ("node_viewers", "viewers the node counts (cascade_viewers)", "info", 0),
    ("alive", "steady viewers connected (clients)", "alive", 0),
    ("stalled", "steady viewers connected that got no byte in a sample", "info", 0),
    ("clients_cpu_pct", "CPU % of the viewers and churn (one core)", "info", 0),
    ("load_py_cpu_pct", "of which soak_load.py itself (WebSocket, HLS, RTSP clients, sampler)", "info", 0),
    ("publishers_cpu_pct", "CPU % of the publishers (one core)", "info", 0),
    ("box_busy_pct", "box busy % (all CPUs)", "info", 0),
]


def num(x):
    if x is None or x == "":
        return None
    try:
        return float(x)
    except ValueError:
        return None


def fmt(x, d=1):
    if x is None:
        return "-"
    if abs(x - round(x)) < 1e-9 and abs(x) >= 10:
        return "%d" % round(x)
    return ("%%.%df" % d) % x


def slope_per_hour(pts):
    if len(pts) < 3:
        return None
    xs = [t / 3600.0 for t, _ in pts]
    ys = [v for _, v in pts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var


def floors(pts, t_warm, t_last, stretch):
    """The lowest point of each stretch after the warm-up (a last partial stretch counts when at least half long)."""
    out = []
    t = t_warm
    while t < t_last:
        part = [(ti, v) for ti, v in pts if t <= ti < t + stretch or (ti == t_last and t + stretch >= t_last)]
        if part and (t + stretch <= t_last + 1e-6 or t_last - t >= stretch / 2):
            out.append(min(part, key=lambda p: p[1]))
        t += stretch
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--warmup", type=float, required=True)
    ap.add_argument("--viewers", type=int, required=True)
    ap.add_argument("--ref-kbps", type=float, required=True)
    a = ap.parse_args()
    with open(os.path.join(a.dir, "samples.csv")) as f:
        rows = list(csv.DictReader(f))
    clients = {}
    if os.path.exists(os.path.join(a.dir, "clients.json")):
        with open(os.path.join(a.dir, "clients.json")) as f:
            clients = json.load(f)
    meta = {}
    if os.path.exists(os.path.join(a.dir, "meta.txt")):
        with open(os.path.join(a.dir, "meta.txt")) as f:
            meta = dict(line.rstrip("\n").split(" ", 1) for line in f if " " in line)
    run = [r for r in rows if r["phase"] == "run"]
    base = next((r for r in rows if r["phase"] == "baseline"), None)
    cool = next((r for r in rows if r["phase"] == "cooldown"), None)
    if not run:
        print("no samples after the baseline: nothing to summarise")
        return 1
    t_last = num(run[-1]["t_s"])
    post = [r for r in run if num(r["t_s"]) >= a.warmup]
    if len(post) < 2:
        post = run[len(run) // 2:]
    t_warm = num(post[0]["t_s"])
    sample_s = (num(run[-1]["t_s"]) - num(run[0]["t_s"])) / max(1, len(run) - 1)
    win = max(sample_s, min(60.0, (t_last - t_warm) / 5))

    print("Soak of one Cascade node: %s s, %d steady viewers, warm-up %d s (figures after it: %d samples from "
          "t = %d s to %d s)%s" % (fmt(t_last, 0), a.viewers, a.warmup, len(post), t_warm, t_last,
                                   (", commit " + meta["commit"]) if "commit" in meta else ""))
    print()
    print("| figure | at warm-up end | min | median | max | at the end | slope per hour | check |")
    print("|---|---|---|---|---|---|---|---|")
    checks = []
    stretch = min(300.0, max(3 * sample_s, (t_last - t_warm) / 3))
    hc = [(num(r["t_s"]), num(r.get("heap_committed_mb"))) for r in post]
    hc = [(t, v) for t, v in hc if v is not None]
    committed = None
    if hc:
        committed = (statistics.median([v for t, v in hc if t <= t_warm + win] or [hc[0][1]]),
                     statistics.median([v for t, v in hc if t >= t_last - win] or [hc[-1][1]]))
    lines = []
    for col, label, kind, floor in FIGURES:
        pts = [(num(r["t_s"]), num(r.get(col))) for r in post]
        pts = [(t, v) for t, v in pts if v is not None]
        lines.append((col, label, kind, floor, pts, False))
        if kind == "saw":
            lines.append((col + "_floor", "%s: floor, the lowest per %d s" % (label.split(" (")[0], stretch), "mem",
                          floor, floors(pts, t_warm, t_last, stretch), True))
    for col, label, kind, floor, pts, is_floor in lines:
        if not pts:
            print("| %s | - | - | - | - | - | - | not exported |" % label)
            checks.append("CHECK %s n/a: no sample has it (series not exported by this build)" % col)
            continue
        vals = [v for _, v in pts]
        if is_floor:  # one point per stretch: the first and the last are the values at warm-up end and at the end
            warm, end = vals[0], vals[-1]
        else:
            warm = statistics.median([v for t, v in pts if t <= t_warm + win] or vals[:1])
            end = statistics.median([v for t, v in pts if t >= t_last - win] or vals[-1:])
        sl = slope_per_hour(pts)
        verdict, why = "INFO", "not judged"
        if kind == "saw":
            verdict, why = "floor below", "a sawtooth: judged on its floor (%s_floor)" % col
        elif kind == "mem" and len(pts) < 2:
            verdict, why = "INFO", "one stretch only: too short a run to judge"
        elif kind == "mem":
            lim_end = 1.2 * warm + floor
            lim_sl = 0.2 * warm + floor
            end_ok = end <= lim_end
            sl_ok = sl is None or sl <= lim_sl
            verdict = "OK" if end_ok and sl_ok else "WATCH" if end_ok else "FAIL"
            why = "end %s <= 1.2 x %s + %s = %s: %s; slope %s/h <= 0.2 x %s + %s = %s/h: %s" % (
                fmt(end), fmt(warm), floor, fmt(lim_end), "yes" if end_ok else "NO",
                fmt(sl) if sl is not None else "-", fmt(warm), floor, fmt(lim_sl), "yes" if sl_ok else "NO")
            if col == "rss_mb" and committed:
                why += " (heap committed meanwhile: %s -> %s MB)" % (fmt(committed[0]), fmt(committed[1]))
        elif kind == "cpu":
            lim = 1.25 * warm + floor
            verdict = "OK" if end <= lim else "FAIL"
            why = "end %s <= 1.25 x %s + %s = %s: %s" % (fmt(end), fmt(warm), floor, fmt(lim),
                                                          "yes" if end <= lim else "NO")
        elif kind == "alive":
            med, lo = statistics.median(vals), min(vals)
            ok = med >= 0.98 * a.viewers and lo >= 0.9 * a.viewers
            verdict = "OK" if ok else "FAIL"
            why = "median %s >= 98 %% of %d and min %s >= 90 %%: %s" % (fmt(med), a.viewers, fmt(lo),
                                                                         "yes" if ok else "NO")
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(warm), fmt(min(vals)), fmt(statistics.median(vals)), fmt(max(vals)), fmt(end),
            ("%+.1f" % sl) if sl is not None else "-", verdict))
        checks.append("CHECK %s %s: %s" % (col, verdict, why))
    if t_last - t_warm < 1800:
        checks.append("(the slopes are fitted over %d s after the warm-up and extrapolated to an hour: a short run "
                      "magnifies noise)" % (t_last - t_warm))

    print()
    print("Delivery per protocol over the samples after the warm-up (kbit/s per connected viewer, the clip is %s "
          "kbit/s; RTMP and FLV count the FLV written, WebSocket the frames, HLS playlists and segments, RTSP the "
          "interleaved RTP; ffmpeg viewers the MPEG-TS they write):" % fmt(a.ref_kbps))
    print()
    print("| protocol | viewers (clients) | median kbit/s | min kbit/s | vs clip | reconnects | got nothing | "
          "intervals with no byte (whole run) | errors (most frequent) |")
    print("|---|---|---|---|---|---|---|---|---|")
    per = clients.get("protocols", {})
    for p in ("rtmp", "flv", "ws", "hls", "rtsp"):
        ks = [num(r.get("kbps_" + p)) for r in post]
        ks = [k for k in ks if k is not None]
        c = per.get(p, {})
        if not c.get("viewers"):
            continue
        med = statistics.median(ks) if ks else None
        ok = med is not None and med >= 0.9 * a.ref_kbps
        checks.append("CHECK kbps_%s %s: median %s kbit/s per viewer >= 90 %% of %s" % (
            p, "OK" if ok else "FAIL", fmt(med), fmt(a.ref_kbps)))
        errs = "; ".join("%s (%d)" % kv for kv in list(c.get("errors", {}).items())[:3]) or "-"
        print("| %s | %d (%s) | %s | %s | %s | %d | %d | %d | %s |" % (
            p, c["viewers"], ", ".join(c.get("variants", [])), fmt(med), fmt(min(ks)) if ks else "-",
            ("%.2f" % (med / a.ref_kbps)) if med else "-", c.get("reconnects", 0), c.get("got_nothing", 0),
            c.get("zero_byte_intervals", 0), errs.replace("|", "/")))
        if c.get("got_nothing"):
            checks.append("CHECK got_nothing_%s FAIL: %d %s viewers received no byte in the whole run" % (
                p, c["got_nothing"], p))

    churn = clients.get("churn", {})
    if churn:
        print()
        print("Churn (short connections cut abruptly), publisher restarts:")
        print()
        print("| kind | started | ok | failed | cut by the end of the run | errors (most frequent) |")
        print("|---|---|---|---|---|---|")
        for k, c in churn.items():
            errs = "; ".join("%s (%d)" % kv for kv in sorted(c["errors"].items(), key=lambda kv: -kv[1])[:3]) or "-"
            print("| %s | %d | %d | %d | %d | %s |" % (k, c["done"], c["ok"], c["failed"],
                                                       c["done"] - c["ok"] - c["failed"], errs.replace("|", "/")))
        done = sum(c["done"] for c in churn.values())
        failed = sum(c["failed"] for c in churn.values())
        checks.append("CHECK churn %s: %d of %d short connections failed (%.2f %%)%s" % (
            "OK" if failed <= 0.01 * max(1, done) else "FAIL", failed, done, 100.0 * failed / max(1, done),
            ", %d skipped (64 in flight)" % clients["churn_skipped"] if clients.get("churn_skipped") else ""))
        print()
        print("Publishers: %s; %d restarts by the script, %d exits by themselves." % (
            ", ".join("%s (%s, started %d times)" % (p["stream"], p["protocol"], p["starts"])
                      for p in clients.get("publishers", [])),
            clients.get("publisher_restarts", 0), clients.get("publisher_exits", 0)))

    if base is not None and cool is not None:
        print()
        print("Before the viewers (publishers live) and %s s after every client and publisher stopped:" % (
            fmt(num(cool["t_s"]) - t_last, 0)))
        print()
        print("| | RSS MB | heap after GC MB | direct MB | fds | threads | node viewers | streams |")
        print("|---|---|---|---|---|---|---|---|")
        for name, r in (("baseline", base), ("cooldown", cool)):
            print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, r["rss_mb"], r["heap_after_gc_mb"] or "-", r["direct_mb"] or "-", r["fds"], r["threads"],
                r["node_viewers"] or "-", r["streams_ingest"] or "-"))
        fb, fc = num(base["fds"]), num(cool["fds"])
        if fb is not None and fc is not None:
            checks.append("CHECK cooldown_fds %s: %d descriptors after the run, %d before the viewers (publishers "
                          "gone since: fewer is expected; at most 16 more allowed)" % (
                              "OK" if fc <= fb + 16 else "FAIL", fc, fb))
        vc = num(cool["node_viewers"])
        if vc is not None:
            checks.append("CHECK cooldown_viewers %s: the node counts %d viewers with no client connected" % (
                "OK" if vc == 0 else "FAIL", vc))
        tb, tc = num(base["threads"]), num(cool["threads"])
        if tb is not None and tc is not None:
            checks.append("CHECK cooldown_threads %s: %d threads after the run, %d before the viewers" % (
                "OK" if tc <= tb + 8 else "FAIL", tc, tb))

    issues = os.path.join(a.dir, "log-issues.txt")
    if os.path.exists(issues):
        with open(issues) as f:
            first = f.readline().strip()
        if first:
            checks.append("CHECK node_log %s: %s" % ("OK" if first.startswith("0 ") else "FAIL", first))
    print()
    print("```")
    for c in checks:
        print(c)
    print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
