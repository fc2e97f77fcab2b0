#!/usr/bin/env python3
"""N live viewers of one stream, WebSocket fMP4 or RTMP, and what the server spent on them.

  fanout_load.py --client ws --url ws://127.0.0.1:18888/test/ws -n 100 --server-pid PID --ref-kbps 1650 \\
                 [--ramp 10] [--warmup 8] [--window 20] [--at EPOCH] [--out run.json]
  fanout_load.py --client rtmpdump --url rtmp://127.0.0.1:19935/live/test -n 100 ...

Timeline (every step bounded): the viewers connect spread over --ramp s, then --warmup s, then the measured window of
--window s, then everything is closed. Over the window: the server's CPU (utime + stime of /proc/PID/stat, all its
threads, as % of one core), its RSS at the end (VmRSS), and per viewer the bytes received, as a share of the
published bitrate (--ref-kbps).

ws: one asyncio process, the WebSocket handshake and frame reading written here (standard library only): it counts
every byte after the handshake and the messages, answers the server's pings (the server closes a viewer that does not
answer), and never parses what the messages carry. rtmpdump: one `rtmpdump -r URL -o /dev/null` process per viewer,
its bytes the FLV it wrote to /dev/null as it received it (/proc/PID/io wchar; rchar does not count socket reads).
Loopback URLs only. A hard alarm ends the run at ramp + warmup + window + 60 s;
the rtmpdump processes die with this one (PR_SET_PDEATHSIG) and are stopped by their PIDs at the end.
"""
import argparse
import asyncio
import base64
import ctypes
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the whole line)


def cpu_busy():
    """Per CPU: (busy, total) jiffies since boot, from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *v = line.split()
                v = [int(x) for x in v]
                idle = v[3] + v[4]  # idle + iowait
                out[name] = (sum(v[:8]) - idle, sum(v[:8]))
    return out


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def wchar(pid):
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                if line.startswith("wchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def loopback(host):
    return host in ("localhost", "::1") or host.startswith("127.")


# ------------------------------------------------------------------ WebSocket viewers

class WsViewer(asyncio.Protocol):
    """One viewer: handshake, then frames read only as far as their headers (lengths, opcodes)."""

    def __init__(self, host, path):
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, self.key)).encode()
        self.transport = None
        self.head = b""        # the HTTP answer until the handshake is done, then a partial frame header
        self.upgraded = False
        self.skip = 0          # payload bytes of the current data frame still to come (counted, not kept)
        self.control = None    # [opcode, remaining length, bytes so far] of a control frame being read
        self.bytes = 0
        self.messages = 0
        self.texts = 0
        self.error = None
        self.closed = False
        self.t_open = time.monotonic()
        self.t_first = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc):
        self.closed = True
        if self.error is None:
            self.error = "closed: %s" % (exc or "by the server")

    def data_received(self, data):
        if not self.upgraded:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > 16384:
                    self.fail("no end of the HTTP answer")
                return
            answer, data = self.head[:end].decode("latin-1"), self.head[end + 4:]
            self.head = b""
            status = answer.split("\r\n", 1)[0]
            accept = base64.b64encode(hashlib.sha1((self.key + WS_GUID).encode()).digest()).decode()
            if " 101 " not in status + " " or ("sec-websocket-accept: " + accept.lower()) not in answer.lower():
                self.fail("no upgrade: " + status)
                return
            self.upgraded = True
        self.bytes += len(data)
        self.frames(memoryview(data))

    def frames(self, data):
        i, n = 0, len(data)
        while i < n:
            if self.skip:
                k = min(self.skip, n - i)
                self.skip -= k
                i += k
                continue
            if self.control is not None:
                op, left, got = self.control
                k = min(left, n - i)
                got += bytes(data[i:i + k])
                i += k
                if k == left:
                    self.control = None
                    self.on_control(op, got)
                else:
                    self.control = [op, left - k, got]
                continue
            # a frame header: 2 bytes, then 0, 2 or 8 bytes of length (a server never masks)
            if self.head:
                buf = self.head + bytes(data[i:i + 14])
            else:
                buf = data[i:i + 14]
            if len(buf) < 2:
                self.head = bytes(buf)
                return
            b0, b1 = buf[0], buf[1]
            size = b1 & 0x7F
            hl = 2 + (2 if size == 126 else 8 if size == 127 else 0)
            if len(buf) < hl:
                self.head = bytes(buf)  # the whole rest of this chunk: the header ends in the next one
                return
            if size == 126:
                size = int.from_bytes(buf[2:4], "big")
            elif size == 127:
                size = int.from_bytes(buf[2:10], "big")
            used = hl - len(self.head)  # header bytes taken from this chunk
            self.head = b""
            i += used
            op = b0 & 0x0F
            if op >= 8:
                self.control = [op, size, b""]
                if size == 0:
                    self.control = None
                    self.on_control(op, b"")
                continue
            if b0 & 0x80:  # FIN: one whole message
                self.messages += 1
                if self.t_first is None:
                    self.t_first = time.monotonic()
                if op == 1:
                    self.texts += 1
            self.skip = size

    def on_control(self, op, payload):
        if op == 9:  # ping: a pong with the same payload, masked as a client must
            mask = os.urandom(4)
            masked = bytes(b ^ mask[j % 4] for j, b in enumerate(payload))
            self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
        elif op == 8:
            self.fail("close frame from the server")

    def fail(self, why):
        if self.error is None:
            self.error = why
        if self.transport:
            self.transport.close()

    def close(self):
        if self.transport and not self.closed:
            self.closed = True
            self.transport.write(bytes([0x88, 0x80]) + os.urandom(4))  # close, empty, masked
            self.transport.close()


async def ws_load(a, t_start, t0, t1, server):
    u = urllib.parse.urlsplit(a.url)
    host, port, path = u.hostname, u.port or 80, u.path or "/"
    loop = asyncio.get_running_loop()
    viewers = []

    async def open_one(i):
        await asyncio.sleep(max(0, t_start + a.ramp * i / max(1, a.n) - time.time()))
        v = WsViewer("%s:%d" % (host, port), path)
        viewers.append(v)
        try:
            await asyncio.wait_for(loop.create_connection(lambda: v, host, port), 10)
        except Exception as e:  # noqa: BLE001 - any failure is this viewer's result
            v.error = "connect: %r" % e
            v.closed = True

    tasks = [asyncio.create_task(open_one(i)) for i in range(a.n)]
    await asyncio.sleep(max(0, t0 - time.time()))
    before = {id(v): v.bytes for v in viewers}
    server.start()
    await asyncio.sleep(max(0, t1 - time.time()))
    server.stop()
    rows = []
    for v in viewers:
        ok = v.upgraded and not v.closed and id(v) in before
        rows.append({"ok": ok, "error": v.error, "bytes": v.bytes - before.get(id(v), 0), "messages": v.messages,
                     "texts": v.texts,
                     "first_message_s": round(v.t_first - v.t_open, 3) if v.t_first else None})
    for v in viewers:
        v.close()
    for t in tasks:
        t.cancel()
    await asyncio.sleep(0.2)
    return rows


# ------------------------------------------------------------------ RTMP viewers

def pdeathsig():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def rtmpdump_load(a, t_start, t0, t1, server):
    procs = []
    try:
        for i in range(a.n):
            time.sleep(max(0, t_start + a.ramp * i / max(1, a.n) - time.time()))
            procs.append(subprocess.Popen(["rtmpdump", "-q", "-v", "-r", a.url, "-o", "/dev/null"],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, preexec_fn=pdeathsig))
        time.sleep(max(0, t0 - time.time()))
        before = {p.pid: wchar(p.pid) for p in procs}
        server.start()
        time.sleep(max(0, t1 - time.time()))
        server.stop()
        rows = []
        for p in procs:
            r0, r1 = before.get(p.pid), wchar(p.pid)
            alive = p.poll() is None
            ok = alive and r0 is not None and r1 is not None
            rows.append({"ok": ok, "error": None if alive else "exited %s" % p.returncode,
                         "bytes": (r1 - r0) if ok else 0})
        return rows
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# ------------------------------------------------------------------ the server's side

class ServerWindow:
    """CPU ticks of the server over the window, its RSS at the end."""

    def __init__(self, pid):
        self.pid = pid
        self.ticks0 = self.ticks1 = self.m0 = self.m1 = None
        self.rss_kb = None

    def start(self):
        self.ticks0, self.m0, self.box0 = cpu_ticks(self.pid), time.monotonic(), cpu_busy()

    def stop(self):
        self.ticks1, self.m1, self.box1 = cpu_ticks(self.pid), time.monotonic(), cpu_busy()
        self.rss_kb = rss_kb(self.pid)

    def box_busy(self):
        """Each CPU's busy % over the window: everything on the box, a noise check."""
        return {c: round(100.0 * (self.box1[c][0] - b0) / max(1, self.box1[c][1] - t0), 1)
                for c, (b0, t0) in sorted(self.box0.items()) if c in self.box1}

    def cpu_pct(self):
        return 100.0 * (self.ticks1 - self.ticks0) / CLK_TCK / (self.m1 - self.m0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--client", required=True, choices=["ws", "rtmpdump"])
    ap.add_argument("--url", required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--ref-kbps", type=float, required=True, help="the published bitrate, kbit/s")
    ap.add_argument("--ramp", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--at", type=float, help="when the ramp starts, epoch seconds (default: in 0.5 s); lets another"
                    " process measure the same window, which opens at --at + --ramp + --warmup")
    ap.add_argument("--out")
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    want = "ws" if a.client == "ws" else "rtmp"
    if u.scheme != want or not u.hostname or not loopback(u.hostname):
        ap.error("--url must be a %s:// URL on loopback" % want)
    if not 1 <= a.n <= 5000 or not 1 <= a.window <= 600 or not 0 <= a.ramp <= 300 or not 0 <= a.warmup <= 300:
        ap.error("n 1..5000, window 1..600 s, ramp and warmup 0..300 s")
    now = time.time()
    if a.at is not None and not now - 1 <= a.at <= now + 60:
        ap.error("--at must be within the next 60 s")
    t_start = a.at if a.at is not None else now + 0.5
    signal.alarm(int(t_start - now + a.ramp + a.warmup + a.window + 60))

    server = ServerWindow(a.server_pid)
    me0 = os.times()
    t0 = t_start + a.ramp + a.warmup
    t1 = t0 + a.window
    if a.client == "ws":
        rows = asyncio.run(ws_load(a, t_start, t0, t1, server))
    else:
        rows = rtmpdump_load(a, t_start, t0, t1, server)
    me1 = os.times()

    window = server.m1 - server.m0
    ok = [r for r in rows if r["ok"]]
    ratios = sorted(r["bytes"] * 8 / window / 1000 / a.ref_kbps for r in ok)
    cpu = server.cpu_pct()
    res = {
        "client": a.client, "url": a.url, "n": a.n, "ramp_s": a.ramp, "warmup_s": a.warmup,
        "window_s": round(window, 3), "ref_kbps": a.ref_kbps,
        "server_cpu_pct": round(cpu, 2), "server_cpu_pct_per_100": round(cpu * 100 / a.n, 3),
        "server_rss_mb": round(server.rss_kb / 1024, 1) if server.rss_kb else None,
        "viewers_ok": len(ok),
        "viewers_ge_98pct": sum(1 for x in ratios if x >= 0.98),
        "delivered_ratio_min": round(ratios[0], 4) if ratios else None,
        "delivered_ratio_p50": round(statistics.median(ratios), 4) if ratios else None,
        "egress_mbps": round(sum(r["bytes"] for r in ok) * 8 / window / 1e6, 1),
        "box_busy_pct": server.box_busy(),
        "errors": sorted({str(r["error"]) for r in rows if not r["ok"]})[:10],
        # this process only: the rtmpdump processes are children, counted when they were waited for
        "client_cpu_s": round((me1.user + me1.system + me1.children_user + me1.children_system)
                              - (me0.user + me0.system + me0.children_user + me0.children_system), 2),
    }
    if a.client == "ws":
        firsts = sorted(r["first_message_s"] for r in rows if r.get("first_message_s") is not None)
        res["first_message_s_p50"] = firsts[len(firsts) // 2] if firsts else None
        res["clock_messages_p50"] = statistics.median(r["texts"] for r in ok) if ok else None
    print(json.dumps(res))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"summary": res, "viewers": rows}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
