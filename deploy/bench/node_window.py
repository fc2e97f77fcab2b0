#!/usr/bin/env python3
"""What each node of a loopback cluster spent and sent over one measured window.

  node_window.py --node ingest=PID:HTTP_PORT --node edge1=PID:HTTP_PORT ... --cluster-ports 15720,15721,15722 \\
                 [--at EPOCH] --window 30 --label two-edges-n200 --out run.json

At --at (epoch seconds; default: now) and --window s later, for every node (all its threads; standard library only):

* CPU: utime + stime of /proc/PID/stat, as % of one core; the same per group of threads from /proc/PID/task
  (`eventloop`: Vert.x event loops, and `eventloop_busiest`, the busiest one; `hazelcast`; `jit`; `gc-vm`: the VM
  thread, where the serial collector runs; `vertx-worker`; `other`); RSS (VmRSS) at the end;
* its counters from http://127.0.0.1:HTTP_PORT/metrics (every cascade_* and vertx_eventbus_* counter, the change over
  the window; a few gauges at the end). A scrape costs the node a little CPU, so it is done 0.5 s before the window
  and right after it: it falls outside the CPU window, and the counters' own interval (`counters_interval_s`, about
  0.5 s longer than the window) is recorded for their rates;
* TCP bytes of its established loopback connections (`ss -tinp`: bytes_acked sent, bytes_received), each connection
  put in one class by who is at the other end: `hazelcast` (another node, on a Hazelcast member port), `eventbus`
  (another node, any other port: the Vert.x clustered event bus), `clients` (anything else: publishers, viewers,
  scrapers), with the bytes per peer node. A connection opened during the window counts from zero; one closed during
  it is lost (`closed_in_window` says how many);
* every CPU's busy % over the window (/proc/stat; time the hypervisor stole counts as busy) and its steal %, noise
  checks.

Loopback only: it reads /proc, ss and 127.0.0.1. It writes one JSON object (stdout, and --out).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
COUNTER = re.compile(r"^((?:cascade|vertx_eventbus)_[a-z0-9_]*(?:_total|_sum|_count))(\{[^}]*\})?\s+(\S+)$")
GAUGES = ("cascade_cluster_members", "cascade_eventbus_inflight_bytes", "cascade_stream_viewers")
SOCKET_ADDR = re.compile(r"^(\[[^\]]+\]|[^\s\[]+):(\d+)$")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


THREAD_GROUPS = (("vert.x-eventloo", "eventloop"), ("vert.x-acceptor", "eventloop"), ("vert.x-worker", "vertx-worker"),
                 ("vert.x-internal", "vertx-worker"), ("hz.", "hazelcast"), ("vertx-hazelcast", "hazelcast"),
                 ("C1 CompilerThre", "jit"), ("C2 CompilerThre", "jit"), ("Sweeper thread", "jit"),
                 ("VM Thread", "gc-vm"), ("GC Thread", "gc-vm"), ("VM Periodic Tas", "gc-vm"))


def thread_ticks(pid):
    """tid -> (name, utime + stime) for every thread of the process (threads that exit meanwhile are skipped)."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[tid] = (name, int(fields[11]) + int(fields[12]))
    return out


def thread_groups(before, after, window):
    """% of one core per group of threads (event loops, Hazelcast, JIT, GC, ...), and the busiest event loop."""
    groups, loops = {}, []
    for tid, (name, ticks) in after.items():
        d = ticks - before.get(tid, (name, 0))[1]
        group = next((g for prefix, g in THREAD_GROUPS if name.startswith(prefix)), "other")
        groups[group] = groups.get(group, 0) + d
        if name.startswith("vert.x-eventloo"):
            loops.append(d)
    res = {g: round(100.0 * d / CLK_TCK / window, 2) for g, d in sorted(groups.items())}
    res["eventloop_busiest"] = round(100.0 * max(loops, default=0) / CLK_TCK / window, 2)
    return res


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def cpu_busy():
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *v = line.split()
                v = [int(x) for x in v]
                idle = v[3] + v[4]
                out[name] = (sum(v[:8]) - idle, sum(v[:8]), v[7])  # busy (steal included), total, steal
    return out


def scrape(port):
    """Counters and a few gauges of one node; {} when it does not answer (recorded, not fatal)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
            text = r.read().decode("utf-8", "replace")
    except OSError as e:
        return {"error": str(e)}
    counters, gauges = {}, {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = COUNTER.match(line)
        if m:
            counters[m.group(1) + (m.group(2) or "")] = float(m.group(3))
            continue
        for g in GAUGES:
            if line.startswith(g + " ") or line.startswith(g + "{"):
                key, _, value = line.rpartition(" ")
                try:
                    gauges[key] = float(value)
                except ValueError:
                    pass
    return {"counters": counters, "gauges": gauges}


def sockets():
    """Established TCP sockets: (local, peer) -> {pid, sent, received}."""
    out = subprocess.run(["ss", "-tinpH", "state", "established"], capture_output=True, text=True, timeout=30,
                         check=True).stdout
    socks, current = {}, None
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            current = None
            tokens = line.split()
            addrs = [t for t in tokens if SOCKET_ADDR.match(t)]
            pid = re.search(r"pid=(\d+)", line)
            if len(addrs) >= 2 and pid:
                current = (addrs[0], addrs[1])
                socks[current] = {"pid": int(pid.group(1)), "sent": 0, "received": 0}
            continue
        if current is None:
            continue
        for field in line.split():
            if field.startswith("bytes_acked:"):
                socks[current]["sent"] = int(field.split(":", 1)[1])
            elif field.startswith("bytes_received:"):
                socks[current]["received"] = int(field.split(":", 1)[1])
    return socks


def port_of(addr):
    return int(addr.rsplit(":", 1)[1])


def norm(addr):
    """127.0.0.1:5 and [::ffff:127.0.0.1]:5 are the same end of a loopback connection."""
    host, port = addr.rsplit(":", 1)
    host = host.strip("[]")
    if host.startswith("::ffff:"):
        host = host[7:]
    return host + ":" + port


def classify(before, after, nodes, cluster_ports):
    """Per node: bytes sent and received over the window per class, and per peer node."""
    owner = {norm(local): s["pid"] for (local, _), s in after.items()}
    owner.update({norm(local): s["pid"] for (local, _), s in before.items()})
    by_pid = {pid: name for name, (pid, _) in nodes.items()}
    res = {name: {"hazelcast": {"sent": 0, "received": 0, "by_peer": {}},
                  "eventbus": {"sent": 0, "received": 0, "by_peer": {}},
                  "clients": {"sent": 0, "received": 0, "connections": 0},
                  "closed_in_window": 0} for name in nodes}
    for key, s in after.items():
        name = by_pid.get(s["pid"])
        if name is None:
            continue
        local, peer = key
        b = before.get(key, {"sent": 0, "received": 0})
        sent, received = max(0, s["sent"] - b["sent"]), max(0, s["received"] - b["received"])
        peer_name = by_pid.get(owner.get(norm(peer)))
        if peer_name is not None and peer_name != name:
            cls = "hazelcast" if port_of(local) in cluster_ports or port_of(peer) in cluster_ports else "eventbus"
            r = res[name][cls]
            p = r["by_peer"].setdefault(peer_name, {"sent": 0, "received": 0})
            p["sent"] += sent
            p["received"] += received
        else:
            r = res[name]["clients"]
            r["connections"] += 1
        r["sent"] += sent
        r["received"] += received
    for key, s in before.items():
        if key not in after and by_pid.get(s["pid"]) is not None:
            res[by_pid[s["pid"]]]["closed_in_window"] += 1
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--node", action="append", required=True, help="NAME=PID:HTTP_PORT (repeatable)")
    ap.add_argument("--cluster-ports", required=True, help="the nodes' Hazelcast member ports, comma-separated")
    ap.add_argument("--at", type=float, help="window start, epoch seconds (default: now)")
    ap.add_argument("--window", type=float, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--out")
    a = ap.parse_args()
    if not 1 <= a.window <= 600:
        ap.error("--window 1..600 s")
    nodes = {}
    for spec in a.node:
        m = re.match(r"^([A-Za-z0-9_-]+)=(\d+):(\d+)$", spec)
        if not m:
            ap.error("--node NAME=PID:HTTP_PORT, not %r" % spec)
        nodes[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    cluster_ports = {int(p) for p in a.cluster_ports.split(",") if p}
    now = time.time()
    at = a.at if a.at is not None else now
    if not now - 5 <= at <= now + 600:
        ap.error("--at must be within the next 600 s")
    # the scrapes just before the window and just after it; the counters' own interval is recorded
    time.sleep(max(0.0, at - 0.5 - time.time()))
    c0 = time.monotonic()
    m0 = {name: scrape(port) for name, (_, port) in nodes.items()}
    time.sleep(max(0.0, at - time.time()))
    late = round(time.time() - at, 3)
    w0, t0 = time.monotonic(), {n: cpu_ticks(p) for n, (p, _) in nodes.items()}
    th0, b0, s0 = {n: thread_ticks(p) for n, (p, _) in nodes.items()}, cpu_busy(), sockets()
    time.sleep(max(0.0, w0 + a.window - time.monotonic()))
    w1, t1 = time.monotonic(), {n: cpu_ticks(p) for n, (p, _) in nodes.items()}
    th1, b1, s1 = {n: thread_ticks(p) for n, (p, _) in nodes.items()}, cpu_busy(), sockets()
    rss = {n: rss_mb(p) for n, (p, _) in nodes.items()}
    m1 = {name: scrape(port) for name, (_, port) in nodes.items()}
    c1 = time.monotonic()
    window = w1 - w0

    tcp = classify(s0, s1, nodes, cluster_ports)
    res = {"label": a.label, "at": at, "late_s": late, "window_s": round(window, 3),
           "counters_interval_s": round(c1 - c0, 3),
           "box_busy_pct": {c: round(100.0 * (b1[c][0] - b0[c][0]) / max(1, b1[c][1] - b0[c][1]), 1)
                            for c in sorted(b0) if c in b1},
           "box_steal_pct": {c: round(100.0 * (b1[c][2] - b0[c][2]) / max(1, b1[c][1] - b0[c][1]), 1)
                             for c in sorted(b0) if c in b1},
           "nodes": {}}
    for name, (pid, port) in nodes.items():
        counters = {}
        if "counters" in m0[name] and "counters" in m1[name]:
            for k, v in m1[name]["counters"].items():
                d = v - m0[name]["counters"].get(k, 0.0)
                if d:
                    counters[k] = d
        res["nodes"][name] = {
            "pid": pid, "http_port": port,
            "cpu_pct": round(100.0 * (t1[name] - t0[name]) / CLK_TCK / window, 2),
            "threads_cpu_pct": thread_groups(th0[name], th1[name], window),
            "rss_mb": rss[name],
            "counters": counters,
            "gauges_end": m1[name].get("gauges", {}),
            "scrape_error": m0[name].get("error") or m1[name].get("error"),
            "tcp": tcp[name],
        }
    text = json.dumps(res, indent=1, sort_keys=True)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(json.dumps({n: {"cpu_pct": v["cpu_pct"], "eventbus_sent": v["tcp"]["eventbus"]["sent"],
                          "hazelcast_sent": v["tcp"]["hazelcast"]["sent"]} for n, v in res["nodes"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
