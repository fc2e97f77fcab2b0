#!/usr/bin/env python3
"""The markdown table of a capacity.sh results folder: medians over the runs, each run's value where it matters.

  capacity-table.py RESULTS_DIR

Reads RESULTS_DIR/meta.txt and RESULTS_DIR/raw/*.json (node_window.py's windows and fanout_load.py's viewers).
"""
import glob
import json
import os
import re
import statistics
import sys

out = sys.argv[1]
meta_text = open(os.path.join(out, "meta.txt")).read()
meta = dict(l.split(" ", 1) for l in meta_text.splitlines() if " " in l)
knob = lambda name, default: (re.search(r"\b%s=(\S+)" % name, meta_text) or [None, default])[1]
raw = os.path.join(out, "raw")
windows, loads = {}, {}
for p in sorted(glob.glob(os.path.join(raw, "*.json"))):
    name = os.path.basename(p)[:-5]
    m = re.match(r"^run(\d+)-(.*)$", name)
    if not m:
        continue
    run, rest = int(m.group(1)), m.group(2)
    if rest.endswith(".api"):
        continue
    if rest.endswith(".load"):
        loads[(run, rest[:-5])] = json.load(open(p))["summary"]
    else:
        windows[(run, rest)] = json.load(open(p))
runs = sorted({r for r, _ in windows})
CTR_PEER = "cascade_eventbus_peer_bytes_sent_total"
CTR_INGEST = 'cascade_ingest_bytes_total{protocol="rtmp"}'


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, d=2):
    return "-" if x is None else ("%%.%df" % d) % x


def each(xs, d=2):
    return ", ".join(fmt(x, d) for x in xs)


def node(w, name):
    return w["nodes"].get(name) if w else None


def mbps(nbytes, w):
    return nbytes * 8 / w["window_s"] / 1e6


def counter_mbps(nbytes, w):
    return nbytes * 8 / w.get("counters_interval_s", w["window_s"]) / 1e6


def ingest_figures(w):
    n = node(w, "ingest")
    if n is None:
        return None
    stream = counter_mbps(n["counters"].get(CTR_INGEST, 0), w)
    fed = sum(1 for p in n["tcp"]["eventbus"]["by_peer"].values() if mbps(p["sent"], w) > 0.5 * stream)
    hz = n["tcp"]["hazelcast"]
    return {"cpu": n["cpu_pct"], "eb": mbps(n["tcp"]["eventbus"]["sent"], w),
            "payload": counter_mbps(n["counters"].get(CTR_PEER, 0), w), "hz_sent": mbps(hz["sent"], w) * 1000,
            "hz_recv": mbps(hz["received"], w) * 1000, "fed": fed, "rss": n["rss_mb"], "stream": stream,
            "busy": "/".join("%.0f" % v for v in w["box_busy_pct"].values())}


def series(label, key):
    return [(ingest_figures(windows.get((r, label))) or {}).get(key) for r in runs]


print("Capacity with edges: one %s kbit/s stream, ingest node on CPU 0 alone, two edges and every client on CPU 1; "
      "median of %d runs, %s s windows (%s, commit %s)" % (meta["clip"].split()[1], len(runs),
                                                           knob("WINDOW", "?"),
                                                           meta["date"][:10], meta["commit"]))
print()
print("Ingest node (roles ingest,origin) with the publisher:")
print()
print("| configuration | ingest CPU % of one core | each run | event-bus egress to edges Mbit/s (TCP) | "
      "media payload sent to edges Mbit/s (counter) | Hazelcast sent / received kbit/s | edges fed (each run) | "
      "ingest RSS MB | box busy % cpu0/cpu1 (each run) |")
print("|---|---|---|---|---|---|---|---|---|")
rows = [("alone", "no edge in the cluster"), ("sub0", "2 edges in the cluster, none subscribed"),
        ("sub1", "1 edge subscribed (1 viewer)"), ("sub2", "2 edges subscribed (1 viewer each)")]
for label, text in rows:
    if not any((r, label) in windows for r in runs):
        continue
    print("| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s |" % (
        text, fmt(med(series(label, "cpu"))), each(series(label, "cpu")), fmt(med(series(label, "eb")), 3),
        fmt(med(series(label, "payload")), 3), fmt(med(series(label, "hz_sent")), 1),
        fmt(med(series(label, "hz_recv")), 1), ", ".join(str(x) for x in series(label, "fed")),
        fmt(med(series(label, "rss")), 1), ", ".join(str(x) for x in series(label, "busy"))))
print()
stream = med(series("sub0", "stream"))


def diff(a, b, key, k=1.0):
    return [None if x is None or y is None else (x - y) / k for x, y in zip(series(a, key), series(b, key))]


c2, c1 = diff("sub2", "sub0", "cpu", 2), diff("sub1", "sub0", "cpu")
e2, e1 = diff("sub2", "sub0", "eb", 2), diff("sub1", "sub0", "eb")
p2 = diff("sub2", "sub0", "payload", 2)
hzm = [None if a is None or b is None else (a - b) / 2 for a, b in zip(
    [(s or 0) + (r or 0) for s, r in zip(series("sub0", "hz_sent"), series("sub0", "hz_recv"))],
    [(s or 0) + (r or 0) for s, r in zip(series("alone", "hz_sent"), series("alone", "hz_recv"))])]
print("Per subscribed edge, on the ingest node (median of the runs' values; the runs' values in brackets):")
print()
print("| figure | (2 subscribed - none) / 2 | 1 subscribed - none |")
print("|---|---|---|")
print("| ingest CPU %% of one core | **%s** (%s) | %s (%s) |" % (fmt(med(c2)), each(c2), fmt(med(c1)), each(c1)))
print("| event-bus egress Mbit/s (TCP) | **%s** (%s) | %s (%s) |" % (fmt(med(e2), 3), each(e2, 3), fmt(med(e1), 3),
                                                                   each(e1, 3)))
print("| media payload Mbit/s (counter) | %s (%s) | - |" % (fmt(med(p2), 3), each(p2, 3)))
print()
print("Published stream as the ingest node counted it (RTMP bytes in): %s Mbit/s. Hazelcast traffic at the ingest node"
      " per edge member, sent + received, none subscribed vs alone: %s kbit/s (%s)." % (
          fmt(stream, 3), fmt(med(hzm), 1), each(hzm, 1)))
sizes = []
for p in sorted(glob.glob(os.path.join(raw, "run*-listNodes.api.json"))):
    try:
        for n in json.load(open(p))["data"]:
            n.pop("cost", None)
            sizes.append(len(json.dumps(n, separators=(",", ":"))))
    except (ValueError, KeyError, TypeError):
        pass
if sizes:
    print("Load board (`cascade.load`): each node's report is %d-%d bytes of JSON here (%d reports listed by the API)."
          % (min(sizes), max(sizes), len(sizes)))
print()

# ------------------------------------------------------------------ viewers on the edges
ns = sorted({int(m.group(2)) for (_, l) in windows for m in [re.match(r"^e(\d)-n(\d+)$", l)] if m})
print("Viewers (%s) on the edges; edge CPU is per edge process (both edges share CPU 1 with the clients):" % (
    knob("CLIENT", "rtmpdump")))
print()
print("| edges | N | viewers per edge | ingest CPU % of one core (each run) | ingest event-bus egress Mbit/s | "
      "edge CPU % of one core, edge1 / edge2 | **edge CPU % per 100 viewers** (each run) | "
      "the same above the edge's CPU with one viewer | viewers >= 98 % of the bitrate (each run) | worst viewer | "
      "box busy % cpu0/cpu1 (each run) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for edges in (1, 2):
    for n in ns:
        label = "e%d-n%d" % (edges, n)
        if not any((r, label) in windows for r in runs):
            continue
        per = n // edges
        ing, eb, cpu_e1, cpu_e2, per100, net100, ok, worst, busy = [], [], [], [], [], [], [], [], []
        for r in runs:
            w = windows.get((r, label))
            if not w:
                continue
            f = ingest_figures(w)
            ing.append(f["cpu"])
            eb.append(f["eb"])
            busy.append(f["busy"])
            vals, nets = [], []
            base_w = windows.get((r, "sub2"))
            for e in range(1, edges + 1):
                c = node(w, "edge%d" % e)["cpu_pct"]
                (cpu_e1 if e == 1 else cpu_e2).append(c)
                vals.append(c * 100 / per)
                base = node(base_w, "edge%d" % e)
                if base is not None and per > 1:
                    nets.append((c - base["cpu_pct"]) * 100 / (per - 1))
            if edges == 1:
                cpu_e2.append(node(w, "edge2")["cpu_pct"])
            per100.append(statistics.mean(vals))
            net100.append(statistics.mean(nets) if nets else None)
            good, lo = 0, []
            for e in range(1, edges + 1):
                s = loads.get((r, "%s-edge%d" % (label, e)))
                if s:
                    good += s["viewers_ge_98pct"]
                    lo.append(s["delivered_ratio_min"])
            ok.append("%d/%d" % (good, n))
            worst.append(min([x for x in lo if x is not None], default=None))
        e2text = fmt(med(cpu_e2)) + (" (idle)" if edges == 1 else "")
        print("| %d | %d | %d | %s (%s) | %s | %s / %s | **%s** (%s) | %s (%s) | %s | %s | %s |" % (
            edges, n, per, fmt(med(ing)), each(ing), fmt(med(eb), 3), fmt(med(cpu_e1)), e2text, fmt(med(per100)),
            each(per100), fmt(med(net100)), each(net100), ", ".join(ok), fmt(min([x for x in worst if x is not None],
                                                                              default=None), 3), ", ".join(busy)))
