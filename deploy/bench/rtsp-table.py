#!/usr/bin/env python3
"""The table of deploy/bench/rtsp-fanout.sh from the raw JSON of a results folder (run<R>-<server>-n<N>.json and
run<R>-<server>-idle.json). Medians over the runs; ratio = cascade / reference, the median of the runs' ratios.

  rtsp-table.py deploy/bench/results/rtsp-fanout-<time>    # markdown on stdout
"""
import glob
import json
import os
import re
import statistics
import sys

SERVERS = ("cascade", "reference")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def f(x, nd=2):
    return "-" if x is None else ("%.*f" % (nd, x))


def main(d):
    runs = {}  # (server, n) -> {run: result}
    idle = {}  # server -> {run: result}
    for p in sorted(glob.glob(os.path.join(d, "run*-*.json"))):
        m = re.match(r"run(\d+)-(cascade|reference)-(n(\d+)|idle)\.json$", os.path.basename(p))
        if not m:
            continue
        with open(p) as fh:
            r = json.load(fh)
        run, server = int(m.group(1)), m.group(2)
        if m.group(3) == "idle":
            idle.setdefault(server, {})[run] = r
        else:
            runs.setdefault((server, int(m.group(4))), {})[run] = r
    ns = sorted({n for (_, n) in runs})
    nruns = sorted({r for v in runs.values() for r in v} | {r for v in idle.values() for r in v})
    env = {}
    envp = os.path.join(d, "env.txt")
    if os.path.exists(envp):
        for line in open(envp):
            k, _, v = line.partition(":")
            env[k.strip()] = v.strip()
    out = []
    w = med([r.get("window_s") for v in runs.values() for r in v.values()])
    out.append("RTSP fan-out over TCP interleaved, Cascade vs GStreamer %s (one shared media), server pinned to one core;"
               % env.get("gstreamer", "").replace("GStreamer ", ""))
    out.append("commit %s, %s; %d run(s), window %s s; median of the runs (ratio: median of the runs' ratios)"
               % (env.get("commit", "?").split(" ")[0], env.get("date_utc", "?"), len(nruns), f(w, 0)))
    out.append("")
    out.append("| N | server | CPU % of a core | CPU % per 100 players | ratio cascade/ref (each run) | players >= 98 % "
               "(worst run) | worst player | TTFF p50 / p95 s | first keyframe p50 / p95 s | RSS MB | errors | "
               "client CPU % (max) | box busy % cpu0/cpu1 |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    if idle:
        for s in SERVERS:
            v = idle.get(s, {})
            if not v:
                continue
            cpu = med([r["server_cpu_pct"] for r in v.values()])
            ratio = "-"
            if s == "cascade" and "reference" in idle:
                rs = [v[r]["server_cpu_pct"] / idle["reference"][r]["server_cpu_pct"] for r in v
                      if r in idle["reference"] and idle["reference"][r]["server_cpu_pct"] > 0]
                ratio = "%s (%s)" % (f(med(rs)), ", ".join(f(x) for x in rs)) if rs else "-"
            out.append("| 0 (publisher only) | %s | %s | - | %s | - | - | - | - | %s | - | - | - |"
                       % (s, f(cpu), ratio, f(med([r["server_rss_kb"] / 1024 for r in v.values()]), 1)))
    verdict = []
    for n in ns:
        for s in SERVERS:
            v = runs.get((s, n), {})
            if not v:
                continue
            rs = list(v.values())
            ratio = "-"
            if s == "cascade":
                ref = runs.get(("reference", n), {})
                pr = [v[r]["server_cpu_pct_per_100"] / ref[r]["server_cpu_pct_per_100"] for r in sorted(v)
                      if r in ref and v[r].get("server_cpu_pct_per_100") and ref[r].get("server_cpu_pct_per_100")]
                if pr:
                    ratio = "**%s** (%s)" % (f(med(pr)), ", ".join(f(x) for x in pr))
                    verdict.append((n, med(pr)))
            worst_ok = min(r["players_ok"] for r in rs)
            errs = {}
            for r in rs:
                for k, c in r.get("errors", {}).items():
                    errs[k] = errs.get(k, 0) + c
            busy = [r.get("box_busy_pct", {}) for r in rs]
            out.append("| %d | %s | %s | **%s** | %s | %d/%d | %s | %s / %s | %s / %s | %s | %s | %s | %s/%s |" % (
                n, s, f(med([r.get("server_cpu_pct") for r in rs])),
                f(med([r.get("server_cpu_pct_per_100") for r in rs])), ratio, worst_ok, n,
                f(min(r["ratio_min"] for r in rs), 3),
                f(med([r["ttff_median_s"] for r in rs]), 3), f(med([r["ttff_p95_s"] for r in rs]), 3),
                f(med([r["ttfk_median_s"] for r in rs]), 3), f(med([r["ttfk_p95_s"] for r in rs]), 3),
                f(med([(r.get("server_rss_kb_end") or 0) / 1024 for r in rs]), 1),
                sum(errs.values()) if errs else 0,
                f(max(r["client_cpu_pct"] for r in rs), 1),
                f(med([b.get("cpu0") for b in busy]), 0), f(med([b.get("cpu1") for b in busy]), 0)))
    out.append("")
    out.append("CPU: utime+stime of every thread of the server process over the players' window, % of one core. "
               "Players >= 98 %: players whose bytes in the window (RTP over TCP interleaved, headers included) "
               "reached 98 % of the clip's media bitrate; worst player: the lowest ratio in any run. TTFF: TCP connect "
               "to the first interleaved byte after PLAY; first keyframe: to the first RTP packet of a video keyframe.")
    for n, r in verdict:
        out.append("")
        out.append("N=%d: Cascade's CPU per 100 players is %.2fx the reference's (target: at most 1.0x): %s."
                   % (n, r, "met" if r <= 1.0 else "NOT met"))
    for (s, n), v in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        bad = [(run, r["players_ok"]) for run, r in sorted(v.items()) if r["players_ok"] < n]
        if bad:
            out.append("")
            out.append("N=%d %s: players below 98 %% in %s" % (n, s, ", ".join("run %d (%d/%d ok)" % (run, ok, n)
                                                                          for run, ok in bad)))
        errs = {}
        for r in v.values():
            for k, c in r.get("errors", {}).items():
                errs[k] = errs.get(k, 0) + c
        if errs:
            out.append("")
            out.append("N=%d %s: player errors over all runs: %s" % (n, s, "; ".join("%s (%d)" % kv
                                                                                    for kv in sorted(errs.items()))))
        if any(r.get("client_saturated") for r in v.values()):
            out.append("")
            out.append("N=%d %s: WARNING: the players used more than 80 %% of their core: the client may be the limit"
                       % (n, s))
    out.append("")
    out.append("Each run (server CPU % of a core / per 100 players, players ok, worst player, TTFF p50 / p95 s):")
    out.append("")
    out.append("| run | N | server | CPU % | per 100 | ok | worst | TTFF p50 / p95 | first keyframe p50 / p95 |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for run in nruns:
        for n in ns:
            for s in SERVERS:
                r = runs.get((s, n), {}).get(run)
                if r:
                    out.append("| %d | %d | %s | %s | %s | %d/%d | %s | %s / %s | %s / %s |" % (
                        run, n, s, f(r.get("server_cpu_pct")), f(r.get("server_cpu_pct_per_100")), r["players_ok"],
                        n, f(r["ratio_min"], 3), f(r["ttff_median_s"], 3), f(r["ttff_p95_s"], 3),
                        f(r["ttfk_median_s"], 3), f(r["ttfk_p95_s"], 3)))
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit(__doc__)
    main(sys.argv[1])
