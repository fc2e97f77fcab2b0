#!/usr/bin/env python3
"""N concurrent RTSP players over TCP interleaved (RTP/AVP/TCP), for deploy/bench/rtsp-fanout.sh. Standard library only.

  rtsp-players.py --url rtsp://127.0.0.1:5544/test -n 100 --ref-kbps 1650 [--server-pid PID] [--out run.json]

Each player: connect, OPTIONS, DESCRIBE, SETUP of every media of the SDP (interleaved=0-1, 2-3, ... and the Session of
the first SETUP; URL = the media's a=control, absolute or relative to Content-Base), PLAY, then it reads with one large
shared receive buffer and counts bytes; RTP is parsed only until the first video keyframe. Keep-alive: OPTIONS with
the Session every --keepalive seconds (or half the session timeout, whichever is shorter).

Timeline: a primer connection sends DESCRIBE first and stays open (so a server that prepares its media on demand has
it ready before the players come); the N players start evenly over --ramp seconds; --warmup seconds after the last
start the window opens and lasts --window seconds. Per player, the bytes received in the window give its bitrate,
compared with --ref-kbps (the clip's media bitrate): ok when >= --ok-ratio. Times to first frame count from the start
of the TCP connect: ttff to the first interleaved byte ('$') after the PLAY response, ttfk to the first RTP packet
that starts a video keyframe (IDR, SPS, or an aggregate or fragment of them), play_to_first from sending PLAY.

With --server-pid, the server's utime+stime (/proc/PID/stat, every thread) over the window gives its CPU % of one core,
with its RSS at the end of the window (and the largest seen, sampled every second). The client's own CPU over the
window is reported too; above --client-warn-pct (80) the result says the client may be the bottleneck.

Prints a JSON summary (and writes it, with every player's numbers, to --out). Every wait is bounded; the process
ends by itself after about ramp + warmup + window + 2 x step timeout.
"""
import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import time
from urllib.parse import urlsplit

CLK = os.sysconf("SC_CLK_TCK")
SHARED = bytearray(256 * 1024)  # one receive buffer for every player: callbacks run one at a time
SHARED_VIEW = memoryview(SHARED)
MAX_HEADER = 64 * 1024
MAX_BODY = 256 * 1024


class RtspError(Exception):
    pass


def proc_ticks(pid):
    """utime + stime of a process (every thread), in clock ticks; None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        fs = s[s.rindex(")") + 2:].split()
        return int(fs[11]) + int(fs[12])
    except (OSError, ValueError, IndexError):
        return None


def proc_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def box_cpu():
    """{'cpu0': (busy, total), ...} from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu"):
                break
            fs = line.split()
            v = [int(x) for x in fs[1:9]]
            out[fs[0]] = (sum(v) - v[3] - v[4], sum(v))
    return out


def is_video_keyframe_start(rtp):
    """First RTP packet of an H.264 keyframe: IDR or SPS, alone, in a STAP-A, or the start of an FU-A of an IDR."""
    if len(rtp) < 13 or rtp[0] >> 6 != 2:
        return False
    off = 12 + 4 * (rtp[0] & 0x0F)
    if rtp[0] & 0x10:  # header extension
        if len(rtp) < off + 4:
            return False
        off += 4 + 4 * int.from_bytes(rtp[off + 2:off + 4], "big")
    if len(rtp) <= off:
        return False
    nal = rtp[off] & 0x1F
    if nal in (5, 7):
        return True
    if nal == 24:  # STAP-A: 16-bit sizes, each NAL's type in its first byte
        p = off + 1
        while p + 3 <= len(rtp):
            size = int.from_bytes(rtp[p:p + 2], "big")
            if size == 0:
                break
            if rtp[p + 2] & 0x1F in (5, 7):
                return True
            p += 2 + size
        return False
    if nal == 28 and len(rtp) > off + 1:  # FU-A: start bit and the fragmented NAL's type
        return bool(rtp[off + 1] & 0x80) and rtp[off + 1] & 0x1F == 5
    return False


class Player(asyncio.BufferedProtocol):
    """One RTSP session. Modes: 'rtsp' (requests and responses), 'parse' (interleaved frames up to the first video
    keyframe), 'count' (bytes only)."""

    def __init__(self, pid, t_connect):
        self.pid = pid
        self.t_connect = t_connect
        self.transport = None
        self.mode = "rtsp"
        self.buf = bytearray()
        self.waiter = None
        self.bytes = 0  # bytes received from the PLAY response on
        self.video_ch = None
        self.t_play_sent = None
        self.t_play_ok = None
        self.t_first = None
        self.t_key = None
        self.closed = False
        self.close_reason = None
        self.t_closed = None
        self.parse_until = None
        self.pending = None
        self.cseq = 0
        self.key_parse_s = 10.0

    # -- asyncio
    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def get_buffer(self, sizehint):
        return SHARED_VIEW

    def buffer_updated(self, n):
        if self.mode == "count":
            self.bytes += n
            return
        if self.mode == "parse":
            self.bytes += n
        self.buf += SHARED_VIEW[:n]
        if len(self.buf) > MAX_HEADER + MAX_BODY + 70000:
            self._fail("receive buffer overflow while parsing")
            return
        self._drain()

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        self.closed = True
        self.t_closed = time.monotonic()
        if self.close_reason is None:
            self.close_reason = "closed by the server" if exc is None else "connection lost: %s" % exc
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(RtspError(self.close_reason))

    # -- parsing
    def _fail(self, why):
        if self.close_reason is None:
            self.close_reason = why
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(RtspError(why))
        if self.transport is not None:
            self.transport.abort()

    def _drain(self):
        buf = self.buf
        while buf:
            if buf[0] == 0x24:  # '$' channel length(16) payload
                if len(buf) < 4:
                    break
                ln = (buf[2] << 8) | buf[3]
                if len(buf) < 4 + ln:
                    break
                if self.t_first is None:
                    self.t_first = time.monotonic()
                if self.t_key is None and buf[1] == self.video_ch and is_video_keyframe_start(bytes(buf[4:4 + ln])):
                    self.t_key = time.monotonic()
                del buf[:4 + ln]
                continue
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER:
                    self._fail("RTSP header longer than %d bytes" % MAX_HEADER)
                break
            head = bytes(buf[:end]).decode("latin-1")
            lines = head.split("\r\n")
            request = lines[0].endswith(" RTSP/1.0") and not lines[0].startswith("RTSP/")
            if not lines[0].startswith("RTSP/") and not request:
                self._fail("unexpected bytes where an RTSP message or '$' was expected: %r" % lines[0][:60])
                return
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            try:
                clen = int(headers.get("content-length", "0"))
            except ValueError:
                self._fail("bad Content-Length")
                return
            if clen > MAX_BODY:
                self._fail("RTSP body longer than %d bytes" % MAX_BODY)
                return
            if len(buf) < end + 4 + clen:
                break
            body = bytes(buf[end + 4:end + 4 + clen])
            del buf[:end + 4 + clen]
            if request:  # a request of the server's own (rare in RTSP 1.0): not answered, skipped
                continue
            parts = lines[0].split(" ", 2)
            try:
                status = int(parts[1])
            except (IndexError, ValueError):
                self._fail("bad status line %r" % lines[0][:60])
                return
            if self.mode == "rtsp" and self.waiter is not None and not self.waiter.done():
                self.waiter.set_result((status, headers, body))
                if self.pending == "PLAY" and status == 200:
                    # media may follow the answer in the same read: from here on bytes count and frames are parsed
                    self.t_play_ok = time.monotonic()
                    self.parse_until = self.t_play_ok + self.key_parse_s
                    self.mode = "parse"
                    self.bytes += len(buf)
            # else a keep-alive answer, or one nobody waits for: skipped
        if self.mode == "parse" and (self.t_key is not None or time.monotonic() > self.parse_until):
            self.mode = "count"
            self.buf = bytearray()

    # -- requests
    async def request(self, method, url, headers, timeout):
        if self.closed:
            raise RtspError(self.close_reason or "closed")
        self.cseq += 1
        self.pending = method
        lines = ["%s %s RTSP/1.0" % (method, url), "CSeq: %d" % self.cseq, "User-Agent: cascade-rtsp-bench"]
        lines += ["%s: %s" % kv for kv in headers.items()]
        self.waiter = asyncio.get_running_loop().create_future()
        if method == "PLAY":
            self.t_play_sent = time.monotonic()
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        try:
            return await asyncio.wait_for(self.waiter, timeout)
        except asyncio.TimeoutError:
            raise RtspError("%s: no answer in %.0f s" % (method, timeout)) from None

    def keepalive(self, url, session):
        if not self.closed:
            self.cseq += 1
            self.transport.write(("OPTIONS %s RTSP/1.0\r\nCSeq: %d\r\nSession: %s\r\nUser-Agent: cascade-rtsp-bench\r\n\r\n"
                                  % (url, self.cseq, session)).encode("latin-1"))


def parse_sdp(body):
    """(session-level control, [(media type, control)])"""
    sess_ctl, medias = None, []
    for line in body.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("m="):
            medias.append([line[2:].split(" ", 1)[0], None])
        elif line.startswith("a=control:"):
            ctl = line[len("a=control:"):].strip()
            if medias:
                medias[-1][1] = ctl
            else:
                sess_ctl = ctl
    return sess_ctl, [tuple(m) for m in medias]


def control_url(base, ctl):
    if ctl is None or ctl == "*":
        return base
    if "://" in ctl:
        return ctl
    return base + ctl if base.endswith("/") else base + "/" + ctl


async def run_player(p, a, host, port, start_at, results):
    """Connect, describe, set up, play; then keep the session alive until cancelled."""
    loop = asyncio.get_running_loop()
    delay = start_at - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)
    p.t_connect = time.monotonic()
    step = "connect"
    try:
        await asyncio.wait_for(loop.create_connection(lambda: p, host, port), a.step_timeout)
        if a.options:
            step = "OPTIONS"
            st, _, _ = await p.request("OPTIONS", a.url, {}, a.step_timeout)
            if st != 200:
                raise RtspError("OPTIONS answered %d" % st)
        step = "DESCRIBE"
        st, h, body = await p.request("DESCRIBE", a.url, {"Accept": "application/sdp"}, a.step_timeout)
        if st != 200:
            raise RtspError("DESCRIBE answered %d" % st)
        base = h.get("content-base") or h.get("content-location") or a.url
        sess_ctl, medias = parse_sdp(body)
        if sess_ctl and "://" in sess_ctl:
            base = sess_ctl
        if not medias:
            raise RtspError("DESCRIBE: no m= line in the SDP")
        session = None
        timeout_s = 60.0
        for i, (kind, ctl) in enumerate(medias):
            step = "SETUP %s" % kind
            hdr = {"Transport": "RTP/AVP/TCP;unicast;interleaved=%d-%d" % (2 * i, 2 * i + 1)}
            if session:
                hdr["Session"] = session
            st, h, _ = await p.request("SETUP", control_url(base, ctl), hdr, a.step_timeout)
            if st != 200:
                raise RtspError("SETUP %s answered %d" % (kind, st))
            if session is None:
                sh = h.get("session", "")
                session = sh.split(";")[0].strip()
                if not session:
                    raise RtspError("SETUP: no Session header")
                for part in sh.split(";")[1:]:
                    k, _, v = part.strip().partition("=")
                    if k.lower() == "timeout":
                        try:
                            timeout_s = float(v)
                        except ValueError:
                            pass
            ch = 2 * i
            for part in h.get("transport", "").split(";"):
                k, _, v = part.strip().partition("=")
                if k == "interleaved" and v.split("-")[0].isdigit():
                    ch = int(v.split("-")[0])
            if kind == "video" and p.video_ch is None:
                p.video_ch = ch
        step = "PLAY"
        p.key_parse_s = a.key_parse_s
        st, _, _ = await p.request("PLAY", base, {"Session": session}, a.step_timeout)
        if st != 200:
            raise RtspError("PLAY answered %d" % st)
        results["started"] += 1
        interval = max(1.0, min(a.keepalive, timeout_s / 2))
        while not p.closed:
            await asyncio.sleep(interval)
            p.keepalive(a.url, session)
    except asyncio.CancelledError:
        raise
    except (RtspError, OSError, asyncio.TimeoutError) as e:
        msg = str(e) or type(e).__name__
        if p.close_reason is None:
            p.close_reason = "%s: %s" % (step, msg)
        elif step not in p.close_reason:
            p.close_reason = "%s: %s" % (step, p.close_reason)
        if p.transport is not None:
            p.transport.abort()
        p.closed = True
        if p.t_closed is None:
            p.t_closed = time.monotonic()



def pct(vals, q):
    if not vals:
        return None
    v = sorted(vals)
    return v[min(len(v) - 1, max(0, int(round(q / 100.0 * (len(v) - 1)))))]


def r3(x):
    return None if x is None else round(x, 3)


async def check(a, host, port):
    """DESCRIBE every half second until a 200 or --check seconds: is the stream there? Exit status 0 when it is."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + a.check
    last = "nothing yet"
    while time.monotonic() < deadline:
        p = Player(-1, time.monotonic())
        try:
            await asyncio.wait_for(loop.create_connection(lambda: p, host, port), a.step_timeout)
            st, _, body = await p.request("DESCRIBE", a.url, {"Accept": "application/sdp"},
                                          max(1.0, min(a.step_timeout, deadline - time.monotonic())))
            last = "DESCRIBE answered %d" % st
            if st == 200 and parse_sdp(body)[1]:
                print("rtsp-players: %s after %.1f s" % (last, a.check - (deadline - time.monotonic())), file=sys.stderr)
                return 0
        except (RtspError, OSError, asyncio.TimeoutError) as e:
            last = str(e) or type(e).__name__
        finally:
            if p.transport is not None:
                p.transport.close()
        await asyncio.sleep(0.5)
    print("rtsp-players: %s is not playable after %.0f s: %s" % (a.url, a.check, last), file=sys.stderr)
    return 1


async def main(a):
    u = urlsplit(a.url)
    if u.scheme != "rtsp" or not u.hostname:
        sys.exit("rtsp-players: not an rtsp:// URL: %s" % a.url)
    host, port = u.hostname, u.port or 554
    if not a.any_host and not host.startswith("127.") and host != "localhost":
        sys.exit("rtsp-players: loopback only (%s); --any-host to allow" % host)
    if a.check:
        return await check(a, host, port)
    loop = asyncio.get_running_loop()
    results = {"started": 0}
    t0 = time.monotonic()

    primer = None
    prime_s = None
    if a.prime:
        primer = Player(-1, time.monotonic())
        try:
            await asyncio.wait_for(loop.create_connection(lambda: primer, host, port), a.step_timeout)
            st, _, _ = await primer.request("DESCRIBE", a.url, {"Accept": "application/sdp"}, a.prime_timeout)
            prime_s = time.monotonic() - primer.t_connect
            if st != 200:
                print("rtsp-players: primer DESCRIBE answered %d" % st, file=sys.stderr)
        except (RtspError, OSError, asyncio.TimeoutError) as e:
            print("rtsp-players: primer failed: %s" % (str(e) or type(e).__name__), file=sys.stderr)

    players = [Player(i, 0.0) for i in range(a.n)]
    base_t = loop.time() + 0.05
    tasks = [asyncio.ensure_future(run_player(p, a, host, port, base_t + (i * a.ramp / max(1, a.n)), results))
             for i, p in enumerate(players)]
    await asyncio.sleep(max(0.0, base_t + a.ramp - loop.time()) + a.warmup)

    # -- the window
    me = os.getpid()
    srv = a.server_pid
    w0 = time.monotonic()
    b0 = [p.bytes for p in players]
    c0 = proc_ticks(me)
    s0 = proc_ticks(srv) if srv else None
    box0 = box_cpu()
    rss_max = proc_rss_kb(srv) if srv else None
    srv_1s = []
    prev = (w0, s0)
    end = w0 + a.window
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        await asyncio.sleep(min(1.0, left))
        if srv:
            now, t = time.monotonic(), proc_ticks(srv)
            r = proc_rss_kb(srv)
            if r is not None:
                rss_max = max(rss_max or 0, r)
            if t is not None and prev[1] is not None and now > prev[0]:
                srv_1s.append(100.0 * (t - prev[1]) / CLK / (now - prev[0]))
            prev = (now, t)
    w1 = time.monotonic()
    b1 = [p.bytes for p in players]
    c1 = proc_ticks(me)
    s1 = proc_ticks(srv) if srv else None
    box1 = box_cpu()
    rss_end = proc_rss_kb(srv) if srv else None
    win = w1 - w0

    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for p in players + ([primer] if primer else []):
        if p.transport is not None and not p.transport.is_closing():
            p.transport.close()
    await asyncio.sleep(0.2)

    ref_bps = a.ref_kbps * 1000.0
    per = []
    for p, x, y in zip(players, b0, b1):
        ratio = (y - x) * 8.0 / win / ref_bps
        lost_in_window = p.t_closed is not None and p.t_closed < w1
        per.append({
            "id": p.pid,
            "ratio": round(ratio, 4),
            "bytes_window": y - x,
            "ttff_s": r3(p.t_first - p.t_connect) if p.t_first else None,
            "ttfk_s": r3(p.t_key - p.t_connect) if p.t_key else None,
            "play_to_first_s": r3(p.t_first - p.t_play_sent) if p.t_first and p.t_play_sent else None,
            "play_ok_s": r3(p.t_play_ok - p.t_connect) if p.t_play_ok else None,
            "error": p.close_reason if (p.t_play_ok is None or lost_in_window) else None,
        })
    ratios = [x["ratio"] for x in per]
    ttff = [x["ttff_s"] for x in per if x["ttff_s"] is not None]
    ttfk = [x["ttfk_s"] for x in per if x["ttfk_s"] is not None]
    p2f = [x["play_to_first_s"] for x in per if x["play_to_first_s"] is not None]
    errors = {}
    for x in per:
        if x["error"]:
            errors[x["error"]] = errors.get(x["error"], 0) + 1
    client_cpu = 100.0 * (c1 - c0) / CLK / win
    res = {
        "label": a.label,
        "url": a.url,
        "n": a.n,
        "ramp_s": a.ramp, "warmup_s": a.warmup, "window_s": round(win, 3),
        "ref_kbps": a.ref_kbps,
        "ok_ratio": a.ok_ratio,
        "primer_describe_s": r3(prime_s),
        "players_played": sum(1 for x in per if x["play_ok_s"] is not None),
        "players_ok": sum(1 for r in ratios if r >= a.ok_ratio),
        "ratio_min": min(ratios) if ratios else None,
        "ratio_p5": pct(ratios, 5),
        "ratio_median": pct(ratios, 50),
        "ratio_max": max(ratios) if ratios else None,
        "egress_mbps_total": round(sum(b1[i] - b0[i] for i in range(len(players))) * 8 / win / 1e6, 2),
        "ttff_median_s": pct(ttff, 50), "ttff_p95_s": pct(ttff, 95), "ttff_max_s": max(ttff) if ttff else None,
        "ttfk_median_s": pct(ttfk, 50), "ttfk_p95_s": pct(ttfk, 95), "ttfk_max_s": max(ttfk) if ttfk else None,
        "ttfk_found": len(ttfk),
        "play_to_first_median_s": pct(p2f, 50), "play_to_first_p95_s": pct(p2f, 95),
        "errors": errors,
        "client_cpu_pct": round(client_cpu, 1),
        "client_saturated": client_cpu > a.client_warn_pct,
        "box_busy_pct": {k: round(100.0 * (box1[k][0] - box0[k][0]) / max(1, box1[k][1] - box0[k][1]), 1)
                         for k in box0 if k in box1},
        "elapsed_s": round(time.monotonic() - t0, 1),
    }
    if srv:
        res.update({
            "server_pid": srv,
            "server_cpu_pct": round(100.0 * (s1 - s0) / CLK / win, 2) if s0 is not None and s1 is not None else None,
            "server_cpu_pct_max_1s": round(max(srv_1s), 1) if srv_1s else None,
            "server_rss_kb_end": rss_end,
            "server_rss_kb_max": rss_max,
        })
        if res["server_cpu_pct"] is not None and a.n:
            res["server_cpu_pct_per_100"] = round(res["server_cpu_pct"] * 100.0 / a.n, 2)
    if res["client_saturated"]:
        print("rtsp-players: WARNING: the client used %.0f %% of a core in the window: it may be the bottleneck"
              % client_cpu, file=sys.stderr)
    summary = json.dumps(res, indent=1)
    print(summary)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(dict(res, players=per), f, indent=1)
            f.write("\n")


def cli():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("-n", type=int, default=0, help="players")
    ap.add_argument("--ref-kbps", type=float, default=0, help="the published media bitrate, kbit/s")
    ap.add_argument("--check", type=float, default=0,
                    help="only wait (at most this many seconds) until DESCRIBE answers 200 with media; no players")
    ap.add_argument("--ramp", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--ok-ratio", type=float, default=0.98)
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--step-timeout", type=float, default=10, help="bound on connect and on each request")
    ap.add_argument("--prime-timeout", type=float, default=20, help="bound on the primer's DESCRIBE")
    ap.add_argument("--no-prime", dest="prime", action="store_false")
    ap.add_argument("--no-options", dest="options", action="store_false", help="skip OPTIONS before DESCRIBE")
    ap.add_argument("--keepalive", type=float, default=20, help="seconds between keep-alive OPTIONS")
    ap.add_argument("--key-parse-s", type=float, default=10, help="give up looking for a keyframe after this")
    ap.add_argument("--client-warn-pct", type=float, default=80)
    ap.add_argument("--label", default="")
    ap.add_argument("--out")
    ap.add_argument("--any-host", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.check:
        hard = a.check + a.step_timeout + 5
    else:
        if a.n < 1 or a.n > 5000 or a.window <= 0 or a.ramp < 0 or a.warmup < 0 or a.ref_kbps <= 0:
            ap.error("need 1 <= n <= 5000, --ref-kbps > 0, window > 0, ramp and warmup >= 0")
        hard = a.prime_timeout + a.ramp + a.warmup + a.window + 30
    try:
        rc = asyncio.run(asyncio.wait_for(main(a), hard))
    except asyncio.TimeoutError:
        sys.exit("rtsp-players: gave up after %.0f s" % hard)
    sys.exit(rc or 0)


if __name__ == "__main__":
    cli()
