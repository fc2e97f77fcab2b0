#!/usr/bin/env python3
"""The markdown table of a capacity.sh results folder: medians over the runs, each run's value where it matters.

  capacity-table.py RESULTS_DIR

Reads RESULTS_DIR/meta.txt and RESULTS_DIR/raw/*.json (node_window.py's windows, fanout_load.py's viewers and the
ingest node's listNodes answer).
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


def knob(name, default):
    m = re.search(r"\b%s=(\S+)" % name, meta_text)
    return m.group(1) if m else default


raw = os.path.join(out, "raw")
windows, loads = {}, {}
for p in sorted(glob.glob(os.path.join(raw, "run*.json"))):
    m = re.match(r"^run(\d+)-(.*)\.json$", os.path.basename(p))
    run, rest = int(m.group(1)), m.group(2)
    if rest.endswith(".api"):
        continue
    if rest.endswith(".load"):
        loads[(run, rest[:-5])] = json.load(open(p))["summary"]
    else:
        windows[(run, rest)] = json.load(open(p))
runs = sorted({r for r, _ in windows})
CTR_PEER = "cascade_eventbus_peer_bytes_sent_total"
INGEST_CPU = "cpu" + re.search(r"ingest node on CPUs ([0-9,-]+)", meta_text).group(1)
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


def busy(w):
    """Each CPU's busy %, the hypervisor's steal % when there was any, and what CPU 0 did besides the ingest node,
    which is alone on it: other processes, the kernel, steal."""
    text = "/".join("%.0f" % v for v in w["box_busy_pct"].values())
    steal = w.get("box_steal_pct", {})
    if any(v >= 1 for v in steal.values()):
        text += " st " + "/".join("%.0f" % v for v in steal.values())
    ing = node(w, "ingest")
    if ing is not None and INGEST_CPU in w["box_busy_pct"]:
        text += " (%+.0f)" % (w["box_busy_pct"][INGEST_CPU] - ing["cpu_pct"] + 0.0)
    return text


def figures(w, name="ingest"):
    """One node's figures over one window, or None."""
    n = node(w, name)
    if n is None:
        return None
    stream = counter_mbps(n["counters"].get(CTR_INGEST, 0), w)
    th = n.get("threads_cpu_pct", {})
    hz = n["tcp"]["hazelcast"]
    return {"cpu": n["cpu_pct"], "loop": th.get("eventloop"), "loop_max": th.get("eventloop_busiest"),
            "hz_cpu": th.get("hazelcast"), "jit": th.get("jit"), "gc": th.get("gc-vm"),
            "eb": mbps(n["tcp"]["eventbus"]["sent"], w), "payload": counter_mbps(n["counters"].get(CTR_PEER, 0), w),
            "hz_sent": mbps(hz["sent"], w) * 1000, "hz_recv": mbps(hz["received"], w) * 1000,
            "hz_peers": len(hz["by_peer"]), "stream": stream, "rss": n["rss_mb"],
            "fed": sum(1 for p in n["tcp"]["eventbus"]["by_peer"].values() if mbps(p["sent"], w) > 0.5 * stream)
            if stream else 0, "busy": busy(w)}


def series(label, key, name="ingest"):
    return [(figures(windows.get((r, label)), name) or {}).get(key) for r in runs]


def diff(a, b, key, k=1.0):
    return [None if x is None or y is None else (x - y) / k for x, y in zip(series(a, key), series(b, key))]


print("Capacity with edges: one %s kbit/s stream; ingest node alone on CPU %s, two edges and every client on CPU %s; "
      "median of %d runs, %s s windows (%s, commit %s)" % (
          meta["clip"].split()[1], re.search(r"ingest node on CPUs ([0-9,-]+)", meta_text).group(1),
          re.search(r"edge2 on CPUs ([0-9,-]+)", meta_text).group(1), len(runs), knob("WINDOW", "?"), meta["date"][:10],
          meta["commit"]))
print()
print("Ingest node (roles ingest,origin) with the publisher, CPU in % of one core:")
print()
print("| configuration | ingest CPU | each run | event loops (busiest) | Hazelcast threads | JIT + GC/VM | "
      "event-bus egress to edges Mbit/s (TCP) | media payload to edges Mbit/s (counter) | "
      "Hazelcast TCP sent / received kbit/s | edges fed (each run) | RSS MB | box busy % cpu0/cpu1 (+ cpu0 beyond the ingest node), each run |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
rows = [("alone", "no edge in the cluster (measured last)"), ("sub0", "2 edges in the cluster, none subscribed"),
        ("sub1", "1 edge subscribed (1 viewer)"), ("sub2", "2 edges subscribed (1 viewer each)")]
for label, text in rows:
    if not any((r, label) in windows for r in runs):
        continue
    jitgc = [None if a is None or b is None else a + b for a, b in zip(series(label, "jit"), series(label, "gc"))]
    print("| %s | **%s** | %s | %s (%s) | %s | %s | %s | %s | %s / %s | %s | %s | %s |" % (
        text, fmt(med(series(label, "cpu"))), each(series(label, "cpu")), fmt(med(series(label, "loop"))),
        fmt(med(series(label, "loop_max"))), fmt(med(series(label, "hz_cpu"))), fmt(med(jitgc)),
        fmt(med(series(label, "eb")), 3), fmt(med(series(label, "payload")), 3), fmt(med(series(label, "hz_sent")), 1),
        fmt(med(series(label, "hz_recv")), 1), ", ".join(str(x) for x in series(label, "fed")),
        fmt(med(series(label, "rss")), 1), ", ".join(str(x) for x in series(label, "busy"))))
print()
c2, c1 = diff("sub2", "sub0", "cpu", 2), diff("sub1", "sub0", "cpu")
l2, l1 = diff("sub2", "sub0", "loop", 2), diff("sub1", "sub0", "loop")
e2, e1 = diff("sub2", "sub0", "eb", 2), diff("sub1", "sub0", "eb")
p2 = diff("sub2", "sub0", "payload", 2)
print("Per subscribed edge, on the ingest node (median of the runs' values, the runs' values in brackets):")
print()
print("| figure | (2 subscribed - none) / 2 | 1 subscribed - none |")
print("|---|---|---|")
print("| ingest CPU %% of one core | **%s** (%s) | %s (%s) |" % (fmt(med(c2)), each(c2), fmt(med(c1)), each(c1)))
print("| ingest event loops %% of one core | **%s** (%s) | %s (%s) |" % (fmt(med(l2)), each(l2), fmt(med(l1)),
                                                                      each(l1)))
print("| event-bus egress Mbit/s (TCP) | **%s** (%s) | %s (%s) |" % (fmt(med(e2), 3), each(e2, 3), fmt(med(e1), 3),
                                                                   each(e1, 3)))
print("| media payload Mbit/s (counter) | %s (%s) | - |" % (fmt(med(p2), 3), each(p2, 3)))
print()
stream = med(series("sub0", "stream"))
hz_pair = [None if s is None else (s + r) / p if p else None
           for s, r, p in zip(series("sub0", "hz_sent"), series("sub0", "hz_recv"), series("sub0", "hz_peers"))]
hz_cpu = diff("sub0", "alone", "hz_cpu", 2)
print("Published stream as the ingest node counted it (RTMP bytes in): %s Mbit/s. Hazelcast at the ingest node with "
      "two edge members and none subscribed: %s kbit/s sent + received per member (%s); its Hazelcast threads' CPU, "
      "(2 edges in the cluster - alone) / 2: %s %% of a core per member (%s)." % (
          fmt(stream, 3), fmt(med(hz_pair), 1), each(hz_pair, 1), fmt(med(hz_cpu)), each(hz_cpu)))
sizes = []
for p in sorted(glob.glob(os.path.join(raw, "run*-listNodes.api.json"))):
    try:
        for n in json.load(open(p))["data"]:
            n.pop("cost", None)
            sizes.append(len(json.dumps(n, separators=(",", ":"))))
    except (ValueError, KeyError, TypeError):
        pass
if sizes:
    print("Load board (`cascade.load`): one node's report is %d-%d bytes of JSON here (%d reports listed by the "
          "ingest node's `listNodes`)." % (min(sizes), max(sizes), len(sizes)))
print()

# ------------------------------------------------------------------ viewers on the edges
ns = sorted({int(m.group(2)) for (_, l) in windows for m in [re.match(r"^e(\d)-n(\d+)$", l)] if m})
print("Viewers (%s) on the edges, CPU in %% of one core; edge CPU is per edge process (both edges share CPU %s with "
      "the clients):" % (knob("CLIENT", "rtmpdump"), re.search(r"edge2 on CPUs ([0-9,-]+)", meta_text).group(1)))
print()
print("| edges | N | viewers per edge | ingest CPU (each run) | ingest event loops | ingest event-bus egress Mbit/s | "
      "edge CPU, edge1 / edge2 | **edge CPU per 100 viewers** (each run) | viewers >= 98 % of the bitrate (each run) | "
      "worst viewer | box busy % cpu0/cpu1 (+ cpu0 beyond the ingest node), each run |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
per_edge = {}   # (edges, n) -> per run: [cpu of each loaded edge]
for edges in (1, 2):
    for n in ns:
        label = "e%d-n%d" % (edges, n)
        if not any((r, label) in windows for r in runs):
            continue
        per = n // edges
        e1c, e2c, per100, ok, worst, bz = [], [], [], [], [], []
        per_edge[(edges, n)] = []
        for r in runs:
            w = windows.get((r, label))
            if not w:
                per_edge[(edges, n)].append(None)
                continue
            cs = [node(w, "edge%d" % e)["cpu_pct"] for e in (1, 2)]
            e1c.append(cs[0])
            e2c.append(cs[1])
            loaded = cs[:edges]
            per_edge[(edges, n)].append(loaded)
            per100.append(statistics.mean(c * 100 / per for c in loaded))
            good, lo = 0, []
            for e in range(1, edges + 1):
                s = loads.get((r, "%s-edge%d" % (label, e)))
                if s:
                    good += s["viewers_ge_98pct"]
                    lo.append(s["delivered_ratio_min"])
            ok.append("%d/%d" % (good, n))
            worst += [x for x in lo if x is not None]
            bz.append(busy(w))
        ing = series(label, "cpu")
        print("| %d | %d | %d | %s (%s) | %s | %s | %s / %s%s | **%s** (%s) | %s | %s | %s |" % (
            edges, n, per, fmt(med(ing)), each(ing), fmt(med(series(label, "loop"))), fmt(med(series(label, "eb")), 3),
            fmt(med(e1c)), fmt(med(e2c)), " (no viewers)" if edges == 1 else "", fmt(med(per100)), each(per100),
            ", ".join(ok), fmt(min(worst, default=None), 3), ", ".join(bz)))
print()
if len(ns) >= 2:
    lo_n, hi_n = ns[0], ns[-1]
    print("Marginal edge CPU per 100 more viewers on one edge process, from N = %d to N = %d (each run's "
          "value in brackets):" % (lo_n, hi_n))
    print()
    for edges in (1, 2):
        a, b = per_edge.get((edges, lo_n)), per_edge.get((edges, hi_n))
        if not a or not b:
            continue
        more = (hi_n - lo_n) / edges
        xs = [None if x is None or y is None else statistics.mean((yy - xx) * 100 / more for xx, yy in zip(x, y))
              for x, y in zip(a, b)]
        print("* %d edge%s (%d to %d viewers per edge): **%s** (%s)" % (
            edges, "s" if edges > 1 else "", lo_n // edges, hi_n // edges, fmt(med(xs)), each(xs)))
    ing_all = [x for label in ["e%d-n%d" % (e, n) for e in (1, 2) for n in ns] for x in series(label, "cpu")
               if x is not None]
    if ing_all:
        print("* the ingest node over every viewer window: %s to %s %% of a core (median %s), whatever N and the edges"
              % (fmt(min(ing_all)), fmt(max(ing_all)), fmt(med(ing_all))))
    # the viewer windows come late in each run, in alternating order: one more subscribed edge, measured there
    for key, text in (("cpu", "ingest CPU"), ("loop", "ingest event loops")):
        one = [x for n in ns for x in series("e1-n%d" % n, key) if x is not None]
        two = [x for n in ns for x in series("e2-n%d" % n, key) if x is not None]
        if one and two:
            print("* %s per subscribed edge from the viewer windows, median of the %d windows with 2 edges subscribed "
                  "(%s) - median of the %d with 1 (%s): **%s**" % (text, len(two), fmt(med(two)), len(one),
                                                                   fmt(med(one)), fmt(med(two) - med(one))))
