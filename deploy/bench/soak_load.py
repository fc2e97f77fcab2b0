#!/usr/bin/env python3
"""The load side of deploy/bench/soak.sh: publishers, steady viewers over five protocols, churn, publisher restarts,
and a sample of the node every --sample-s seconds into samples.csv. Standard library only; loopback only.

  soak_load.py --node-pid PID --rtmp-port P --rtsp-port P --http-port P --clip clip.flv --ref-kbps 1000 \\
               --duration 3600 --out DIR [--rtmp 80 --flv 40 --ws 40 --hls 20 --rtsp 20] [...]

Publishers (ffmpeg -re -stream_loop -1 -c copy of the clip): soak1..soakN over RTMP (rtmp://.../live/soakK), and with
--rtsp-publish one more, soak<N+1>, over RTSP (TCP). Every --restart-s one publisher (in turn) is stopped, SIGTERM
and SIGKILL alternately, and started again 2 s later; one that exits by itself is started again too.

Steady viewers, spread over the streams in turn and started evenly over --ramp-s; each is a slot that reconnects 2 s
after its connection ended (counted):
  rtmp  one `rtmpdump -q -v -r rtmp://.../live/<s> -o /dev/null` process each; bytes: the FLV it wrote (/proc io wchar)
  flv   one `curl -s -o /dev/null http://.../<s>.flv` process each; bytes: what it wrote (wchar)
  ws    WebSocket fMP4 viewers of ws://.../<s>/ws in this process (fanout_load.py's WsViewer: handshake, frame
        headers, pongs; bytes after the handshake)
  hls   live HLS players in this process: one keep-alive connection each, the CMAF playlist (/<s>/index.m3u8: the
        video and audio media playlists) or the MPEG-TS one (/<s>/ts/index.m3u8) in turn, joining 3 segments behind
        the live edge, reloading every target duration (half of it when nothing was new); bytes: playlists and
        segments. --ffmpeg-hls of them are `ffmpeg -i http://.../<s>/index.m3u8 -c copy -f mpegts /dev/null` instead
  rtsp  RTSP players over TCP in this process (rtsp-players.py's Player: DESCRIBE, SETUP per track, PLAY, OPTIONS as
        keep-alive; bytes after PLAY). --ffmpeg-rtsp of them are `ffmpeg -rtsp_transport tcp -i rtsp://.../<s> -c copy
        -f mpegts /dev/null` instead
Churn, from the end of the ramp: --churn-per-s short connections a second, the kinds in turn, each cut abruptly:
  rtmp      rtmpdump killed (SIGKILL) after 1-3 s
  hls       a new connection: playlist (and media playlist), the newest segment read whole or cut after 16 KB, abort
  flv       GET /<s>.flv, read for 1 s, abort
  ws        WebSocket upgrade, read 0.5-2 s, abort (no close frame)
  rtsp      DESCRIBE, SETUP, PLAY, read 1-2.5 s, abort
  notfound  a name nobody publishes, in turn over HLS, HTTP-FLV, WebSocket and RTSP: a 404 is what counts as ok
The sampler reads, every --sample-s s from t = 0 (the publishers live, no viewer yet) to t = --duration, the node's
/proc (RSS, threads, descriptors, CPU), its /metrics (heap, old generation after the last major GC, direct buffers,
Cascade's viewers and caches) and the GC log's last "heap after" figure, and this side's state (viewers connected and
their kbit/s per protocol, reconnects, churn, publisher restarts, the CPU of the clients and of the publishers). After
--duration everything here stops; --cooldown-s later one more row (phase cooldown) shows what the node let go of.
Writes DIR/samples.csv (a row per sample, flushed), DIR/clients.json (per viewer slot, churn per kind, publishers) and
the publishers' logs in DIR/logs/. Every child process gets PR_SET_PDEATHSIG and is stopped by its PID at the end;
a hard alarm ends this process at duration + ramp + 300 s whatever happens.
"""
import argparse
import asyncio
import csv
import ctypes
import importlib.util
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import types
import urllib.parse

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the imported benchmark clients
from fanout_load import WsViewer, wchar  # noqa: E402  the fan-out benchmark's WebSocket client and byte count

_spec = importlib.util.spec_from_file_location("rtsp_players", os.path.join(HERE, "rtsp-players.py"))
rtsp_players = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rtsp_players)  # the RTSP player of the RTSP fan-out benchmark (no side effects on import)

CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"
PROTOCOLS = ["rtmp", "flv", "ws", "hls", "rtsp"]
CHURN_KINDS = ["rtmp", "hls", "flv", "ws", "rtsp", "notfound"]
CHILD_ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}  # loopback: never through a proxy
BACKOFF_S = 2.0


LOG_FILE = None


def log(msg):
    line = "%s soak_load: %s" % (time.strftime("%H:%M:%S", time.gmtime()), msg)
    print(line, file=sys.stderr, flush=True)
    if LOG_FILE is not None:
        LOG_FILE.write(line + "\n")
        LOG_FILE.flush()


# ------------------------------------------------------------------ /proc

def pdeathsig():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def spawn(cmd, out=subprocess.DEVNULL):
    """A child that dies with this process; only ever called on the main thread (PDEATHSIG follows the thread)."""
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=CHILD_ENV,
                            preexec_fn=pdeathsig, close_fds=True)


def proc_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fs = f.read().rsplit(")", 1)[1].split()
        return int(fs[11]) + int(fs[12])
    except (OSError, IndexError, ValueError):
        return None


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "Threads"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def proc_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None




def box_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)  # busy, total (idle and iowait are not busy)


async def stop_proc(p, grace=3.0, sig=signal.SIGTERM):
    """Signal one child by its PID, wait (bounded), then SIGKILL; always reaped."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + grace
        while p.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if p.poll() is None:
            p.kill()
            while p.poll() is None:
                await asyncio.sleep(0.05)


async def sleep_until(t, stop=None):
    """Sleep until time.time() >= t, or until stop is set."""
    d = t - time.time()
    if d <= 0:
        return
    if stop is None:
        await asyncio.sleep(d)
    else:
        try:
            await asyncio.wait_for(stop.wait(), d)
        except asyncio.TimeoutError:
            pass


# ------------------------------------------------------------------ a small HTTP/1.1 client

class HttpError(Exception):
    pass


class HttpConn:
    """One keep-alive connection: GET with Content-Length or chunked bodies, counted as they arrive."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.r = self.w = None

    async def get(self, path, keep_body=True, on_bytes=None, cut_after=None):
        """(status, body or b"", body bytes). cut_after: abort the connection after that many body bytes."""
        if self.w is None:
            self.r, self.w = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), self.timeout)
        self.w.write(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: cascade-soak\r\n\r\n"
                      % (path, HOST, self.port)).encode("latin-1"))
        try:
            head = await asyncio.wait_for(self.r.readuntil(b"\r\n\r\n"), self.timeout)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            self.abort()
            raise HttpError("no response head: %r" % e) from None
        lines = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            self.abort()
            raise HttpError("bad status line %r" % lines[0][:60]) from None
        h = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            h[k.strip().lower()] = v.strip()
        body = bytearray()
        n = 0

        async def take(size):
            nonlocal n
            while size > 0:
                chunk = await asyncio.wait_for(self.r.read(min(size, 65536)), self.timeout)
                if not chunk:
                    raise HttpError("connection closed in a body")
                size -= len(chunk)
                n += len(chunk)
                if keep_body:
                    body.extend(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
                if cut_after is not None and n >= cut_after:
                    raise _Cut()

        try:
            if "content-length" in h:
                await take(int(h["content-length"]))
            elif "chunked" in h.get("transfer-encoding", "").lower():
                while True:
                    line = await asyncio.wait_for(self.r.readuntil(b"\r\n"), self.timeout)
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while (await asyncio.wait_for(self.r.readuntil(b"\r\n"), self.timeout)) != b"\r\n":
                            pass
                        break
                    await take(size)
                    await asyncio.wait_for(self.r.readexactly(2), self.timeout)
            else:
                while True:
                    chunk = await asyncio.wait_for(self.r.read(65536), self.timeout)
                    if not chunk:
                        break
                    n += len(chunk)
                    if keep_body:
                        body.extend(chunk)
                    if on_bytes:
                        on_bytes(len(chunk))
                h["connection"] = "close"
        except _Cut:
            self.abort()
            return status, bytes(body), n
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            self.abort()
            raise HttpError("bad body: %r" % e) from None
        if h.get("connection", "").lower() == "close":
            self.abort()
        return status, bytes(body), n

    def abort(self):
        if self.w is not None:
            self.w.transport.abort()
        self.r = self.w = None


class _Cut(Exception):
    pass


def parse_media_playlist(text):
    """(target duration s, media sequence, [(segment uri, map uri or None)])"""
    target, seq, segs, map_uri, want_uri = 2.0, 0, [], None, False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = float(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MAP:"):
            m = re.search(r'URI="([^"]+)"', line)
            map_uri = m.group(1) if m else None
        elif line.startswith("#EXTINF:"):
            want_uri = True
        elif line and not line.startswith("#") and want_uri:
            segs.append((line, map_uri))
            want_uri = False
    return target, seq, segs


def parse_multivariant(text):
    """The media playlists a player takes: the first variant and the audio renditions."""
    variants, audio, after_inf = [], [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-STREAM-INF:"):
            after_inf = True
        elif line.startswith("#EXT-X-MEDIA:") and "TYPE=AUDIO" in line:
            m = re.search(r'URI="([^"]+)"', line)
            if m:
                audio.append(m.group(1))
        elif line and not line.startswith("#") and after_inf:
            variants.append(line)
            after_inf = False
    return variants[:1] + audio[:1]


def join(base_path, uri):
    """A playlist's URI as a path and query (the query kept: media playlist URIs carry the node's HLS session)."""
    u = urllib.parse.urlsplit(urllib.parse.urljoin("http://h" + base_path, uri))
    return (u.path or "/") + ("?" + u.query if u.query else "")


# ------------------------------------------------------------------ steady viewers

class Slot:
    def __init__(self, proto, idx, stream, variant):
        self.proto = proto          # rtmp flv ws hls rtsp
        self.idx = idx
        self.stream = stream
        self.variant = variant      # rtmpdump curl ws cmaf ts rtsp ffmpeg
        self.base = 0               # bytes of earlier connections (and of HLS, counted as they come)
        self.cur = 0                # bytes of the current connection as last seen
        self.alive = False
        self.connects = 0
        self.drops = 0              # connections that ended while the run went on (reconnected)
        self.errors = {}            # reason -> count
        self.proc = None
        self.last_total = 0         # for the sampler: bytes at the previous sample
        self.zero_intervals = 0     # sample intervals with a connection and no byte

    def total(self):
        return self.base + self.cur

    def error(self, why):
        why = re.sub(r"\d+", "N", str(why))[:160]
        self.errors[why] = self.errors.get(why, 0) + 1


class Load:
    def __init__(self, a):
        self.a = a
        self.stop = asyncio.Event()        # the run is over: viewers, churn and restarts end
        self.slots = []
        self.churn = {k: {"done": 0, "ok": 0, "failed": 0, "errors": {}} for k in CHURN_KINDS}
        self.churn_inflight = 0
        self.churn_skipped = 0
        self.churn_procs = set()
        self.pubs = []
        self.pub_ticks = {}                # pid -> last ticks seen (publishers' CPU)
        self.restarts = 0
        self.pub_exits = 0
        self.streams = []

    # -- URLs
    def rtmp_url(self, s):
        return "rtmp://%s:%d/live/%s" % (HOST, self.a.rtmp_port, s)

    def rtsp_url(self, s):
        return "rtsp://%s:%d/%s" % (HOST, self.a.rtsp_port, s)

    def http_url(self, path):
        return "http://%s:%d%s" % (HOST, self.a.http_port, path)

    # -- publishers
    def pub_start(self, pub):
        logf = open(os.path.join(self.a.out, "logs", "publisher-%s.log" % pub["stream"]), "ab")
        logf.write(("--- %s start\n" % time.strftime("%H:%M:%S", time.gmtime())).encode())
        logf.flush()
        pub["proc"] = spawn(pub["cmd"], out=logf)
        logf.close()
        pub["starts"] += 1
        pub["since"] = time.time()

    def churn_stream(self, n):
        """The n-th stream in turn, passing over one whose publisher is restarting or started less than 6 s ago (a
        churn connection there tests the restart, which the steady viewers already do, and would count as failed)."""
        now = time.time()
        for k in range(len(self.streams)):
            s = self.streams[(n + k) % len(self.streams)]
            pub = next((p for p in self.pubs if p["stream"] == s), None)
            if pub is None or (not pub["restarting"] and now - pub["since"] > 6):
                return s
        return self.streams[n % len(self.streams)]

    async def pub_stop(self, pub, sig):
        p = pub["proc"]
        t = proc_ticks(p.pid)
        if t is not None:
            self.pub_ticks[p.pid] = t
        await stop_proc(p, grace=5.0, sig=sig)

    async def publishers_watch(self):
        """A publisher that exited by itself (not in a restart) is started again."""
        while not self.stop.is_set():
            for pub in self.pubs:
                if not pub["restarting"] and pub["proc"].poll() is not None:
                    self.pub_exits += 1
                    log("publisher %s exited by itself (%s); starting it again"
                        % (pub["stream"], pub["proc"].returncode))
                    self.pub_start(pub)
            await sleep_until(time.time() + 1, self.stop)

    async def restarter(self, t_end):
        k = 0
        while True:
            await sleep_until(time.time() + self.a.restart_s, self.stop)
            if self.stop.is_set() or time.time() > t_end - 10:
                return
            pub = self.pubs[k % len(self.pubs)]
            sig = signal.SIGTERM if k % 2 == 0 else signal.SIGKILL
            k += 1
            pub["restarting"] = True
            log("restart %d: publisher %s, %s" % (k, pub["stream"], sig.name))
            await self.pub_stop(pub, sig)
            await asyncio.sleep(2.0)
            self.pub_start(pub)
            pub["restarting"] = False
            self.restarts += 1

    async def wait_live(self, bound_s):
        """Every stream answers its HLS playlist (200) within bound_s."""
        deadline = time.time() + bound_s
        for s in self.streams:
            while True:
                try:
                    st, _, _ = await HttpConn(self.a.http_port, 3).get("/%s/index.m3u8" % s)
                    if st == 200:
                        break
                except (OSError, HttpError, asyncio.TimeoutError):
                    pass
                if time.time() > deadline:
                    raise SystemExit("stream %s was not live within %d s" % (s, bound_s))
                for pub in self.pubs:
                    if pub["proc"].poll() is not None:
                        raise SystemExit("publisher %s exited (%s): see logs/publisher-%s.log"
                                         % (pub["stream"], pub["proc"].returncode, pub["stream"]))
                await asyncio.sleep(0.5)

    # -- viewers: each returns when its connection ended or the run stopped
    async def v_proc(self, slot, cmd):
        p = spawn(cmd)
        slot.proc = p
        try:
            while True:
                w = wchar(p.pid)
                if w is not None:
                    slot.cur = w
                if p.poll() is not None:
                    slot.error("exited %s" % p.returncode)
                    return
                if self.stop.is_set():
                    return
                await sleep_until(time.time() + 1, self.stop)
        finally:
            await stop_proc(p)
            slot.proc = None

    async def v_ws(self, slot):
        loop = asyncio.get_running_loop()
        v = WsViewer("%s:%d" % (HOST, self.a.http_port), "/%s/ws" % slot.stream)
        try:
            await asyncio.wait_for(loop.create_connection(lambda: v, HOST, self.a.http_port), 10)
            while not v.closed and not self.stop.is_set():
                slot.cur = v.bytes
                await sleep_until(time.time() + 1, self.stop)
            slot.cur = v.bytes
            if v.closed:
                slot.error(v.error or "closed")
        finally:
            if v.transport is not None and not v.closed:
                v.close()

    async def v_rtsp(self, slot):
        loop = asyncio.get_running_loop()
        p = rtsp_players.Player(slot.idx, time.monotonic())
        a = types.SimpleNamespace(step_timeout=10.0, options=False, url=self.rtsp_url(slot.stream), key_parse_s=10.0,
                                  keepalive=20.0)
        task = asyncio.create_task(rtsp_players.run_player(p, a, HOST, self.a.rtsp_port, loop.time(), {"started": 0}))
        try:
            while not task.done() and not self.stop.is_set():
                slot.cur = p.bytes
                await sleep_until(time.time() + 1, self.stop)
            slot.cur = p.bytes
            if task.done():
                slot.error(p.close_reason or "ended")
        finally:
            task.cancel()
            if p.transport is not None:
                p.transport.abort()
            await asyncio.gather(task, return_exceptions=True)

    async def v_hls(self, slot):
        conn = HttpConn(self.a.http_port)
        first = "/%s/index.m3u8" % slot.stream if slot.variant == "cmaf" else "/%s/ts/index.m3u8" % slot.stream

        def add(n):
            slot.base += n

        async def playlist(path):
            """A playlist, retried for up to 15 s (a republish makes a name briefly not live)."""
            deadline = time.monotonic() + 15
            while True:
                try:
                    st, body, _ = await conn.get(path, on_bytes=add)
                    if st == 200:
                        return body.decode("utf-8", "replace")
                    why = "playlist %d" % st
                except (OSError, HttpError, asyncio.TimeoutError) as e:
                    conn.abort()
                    why = "playlist: %r" % e
                if time.monotonic() > deadline or self.stop.is_set():
                    raise HttpError(why)
                await sleep_until(time.time() + 1, self.stop)

        try:
            text = await playlist(first)
            medias = [join(first, u) for u in parse_multivariant(text)] if "#EXT-X-STREAM-INF" in text else [first]
            state = {m: {"next": None, "maps": set()} for m in medias}
            while not self.stop.is_set():
                target, got = 2.0, False
                for m in medias:
                    st = state[m]
                    target, seq, segs = parse_media_playlist(await playlist(m))
                    if st["next"] is None or st["next"] > seq + len(segs):
                        st["next"] = seq + max(0, len(segs) - 3)  # join (or rejoin) 3 segments behind the edge
                    st["next"] = max(st["next"], seq)
                    for k, (uri, map_uri) in enumerate(segs):
                        if seq + k < st["next"] or self.stop.is_set():
                            continue
                        if map_uri and map_uri not in st["maps"]:
                            code, _, _ = await conn.get(join(m, map_uri), keep_body=False, on_bytes=add)
                            if code != 200:
                                raise HttpError("init segment %d" % code)
                            st["maps"].add(map_uri)
                        code, _, _ = await conn.get(join(m, uri), keep_body=False, on_bytes=add)
                        if code != 200:
                            raise HttpError("segment %d" % code)
                        st["next"] = seq + k + 1
                        got = True
                await sleep_until(time.time() + (target if got else target / 2), self.stop)
        except (OSError, HttpError, asyncio.TimeoutError) as e:
            slot.error(e)
        finally:
            conn.abort()

    async def run_slot(self, slot, start_at):
        await sleep_until(start_at, self.stop)
        while not self.stop.is_set():
            slot.connects += 1
            slot.alive = True
            try:
                if slot.variant == "rtmpdump":
                    await self.v_proc(slot, ["rtmpdump", "-q", "-v", "-r", self.rtmp_url(slot.stream),
                                             "-o", "/dev/null"])
                elif slot.variant == "curl":
                    await self.v_proc(slot, ["curl", "-s", "--noproxy", "*", "-o", "/dev/null",
                                             self.http_url("/%s.flv" % slot.stream)])
                elif slot.variant == "ffmpeg" and slot.proto == "rtsp":
                    await self.v_proc(slot, ["ffmpeg", "-nostdin", "-loglevel", "quiet", "-rtsp_transport", "tcp",
                                             "-i", self.rtsp_url(slot.stream), "-c", "copy", "-f", "mpegts", "-y",
                                             "/dev/null"])
                elif slot.variant == "ffmpeg" and slot.proto == "hls":
                    await self.v_proc(slot, ["ffmpeg", "-nostdin", "-loglevel", "quiet", "-i",
                                             self.http_url("/%s/index.m3u8" % slot.stream), "-c", "copy",
                                             "-f", "mpegts", "-y", "/dev/null"])
                elif slot.proto == "ws":
                    await self.v_ws(slot)
                elif slot.proto == "rtsp":
                    await self.v_rtsp(slot)
                else:
                    await self.v_hls(slot)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - one viewer's failure is its result, the run goes on
                slot.error("%s: %s" % (type(e).__name__, e))
            finally:
                slot.alive = False
                slot.base += slot.cur
                slot.cur = 0
            if self.stop.is_set():
                break
            slot.drops += 1
            await sleep_until(time.time() + BACKOFF_S, self.stop)

    # -- churn
    async def churn_one(self, kind, n):
        s = self.churn_stream(n // len(CHURN_KINDS))
        loop = asyncio.get_running_loop()
        if kind == "rtmp":
            p = spawn(["rtmpdump", "-q", "-v", "-r", self.rtmp_url(s), "-o", "/dev/null"])
            self.churn_procs.add(p)
            try:
                await asyncio.sleep(random.uniform(1, 3))
                w = wchar(p.pid) or 0
                if p.poll() is not None and not w:
                    raise RuntimeError("rtmpdump exited %s" % p.returncode)
            finally:
                await stop_proc(p, sig=signal.SIGKILL)
                self.churn_procs.discard(p)
            if not w:
                raise RuntimeError("no media in the first second(s)")
        elif kind == "hls":
            conn = HttpConn(self.a.http_port)
            try:
                path = "/%s/index.m3u8" % s if n % 2 else "/%s/ts/index.m3u8" % s
                st, body, _ = await conn.get(path)
                if st != 200:
                    raise RuntimeError("playlist %d" % st)
                text = body.decode("utf-8", "replace")
                if "#EXT-X-STREAM-INF" in text:
                    path = join(path, parse_multivariant(text)[0])
                    st, body, _ = await conn.get(path)
                    if st != 200:
                        raise RuntimeError("media playlist %d" % st)
                    text = body.decode("utf-8", "replace")
                _, _, segs = parse_media_playlist(text)
                if not segs:
                    raise RuntimeError("no segment listed")
                uri, map_uri = segs[-1]
                if map_uri:
                    st, _, _ = await conn.get(join(path, map_uri), keep_body=False)
                    if st != 200:
                        raise RuntimeError("init segment %d" % st)
                st, _, got = await conn.get(join(path, uri), keep_body=False, cut_after=16384 if n % 4 < 2 else None)
                if st != 200 or not got:
                    raise RuntimeError("segment %d" % st)
            finally:
                conn.abort()
        elif kind == "flv":
            r, w = await asyncio.wait_for(asyncio.open_connection(HOST, self.a.http_port), 10)
            try:
                w.write(("GET /%s.flv HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (s, HOST, self.a.http_port)).encode())
                data = bytearray()
                t_end = time.monotonic() + 1.0
                while time.monotonic() < t_end:
                    try:
                        chunk = await asyncio.wait_for(r.read(65536), max(0.01, t_end - time.monotonic()))
                    except asyncio.TimeoutError:
                        break
                    if not chunk:
                        break
                    if len(data) < 4096:
                        data.extend(chunk[:4096])
                if not data.startswith(b"HTTP/1.1 200") or b"FLV" not in data:
                    raise RuntimeError("no FLV: %r" % bytes(data[:40]))
            finally:
                w.transport.abort()
        elif kind == "ws":
            v = WsViewer("%s:%d" % (HOST, self.a.http_port), "/%s/ws" % s)
            await asyncio.wait_for(loop.create_connection(lambda: v, HOST, self.a.http_port), 10)
            try:
                await asyncio.sleep(random.uniform(0.5, 2))
                if not v.upgraded or not v.messages:
                    raise RuntimeError(v.error or "no message")
            finally:
                if v.transport is not None:
                    v.transport.abort()
        elif kind == "rtsp":
            p = rtsp_players.Player(n, time.monotonic())
            a = types.SimpleNamespace(step_timeout=10.0, options=False, url=self.rtsp_url(s), key_parse_s=10.0,
                                      keepalive=20.0)
            res = {"started": 0}
            task = asyncio.create_task(rtsp_players.run_player(p, a, HOST, self.a.rtsp_port, loop.time(), res))
            try:
                await asyncio.sleep(random.uniform(1, 2.5))
                if not res["started"] or not p.bytes:
                    raise RuntimeError(p.close_reason or "not playing")
            finally:
                task.cancel()
                if p.transport is not None:
                    p.transport.abort()
                await asyncio.gather(task, return_exceptions=True)
        else:  # notfound
            name = "soak-nobody-%d" % n
            way = (n // len(CHURN_KINDS)) % 4
            if way == 3:
                p = rtsp_players.Player(n, time.monotonic())
                await asyncio.wait_for(loop.create_connection(lambda: p, HOST, self.a.rtsp_port), 10)
                try:
                    st, _, _ = await p.request("DESCRIBE", self.rtsp_url(name), {"Accept": "application/sdp"}, 15)
                finally:
                    p.transport.abort()
            elif way == 2:  # a WebSocket upgrade: the answer is a 404 before any upgrade
                v = WsViewer("%s:%d" % (HOST, self.a.http_port), "/%s/ws" % name)
                await asyncio.wait_for(loop.create_connection(lambda: v, HOST, self.a.http_port), 10)
                try:
                    t_end = time.monotonic() + 15
                    while v.error is None and not v.upgraded and time.monotonic() < t_end:
                        await asyncio.sleep(0.1)
                    m = re.search(r"no upgrade: HTTP/1.1 (\d+)", v.error or "")
                    st = int(m.group(1)) if m else 101 if v.upgraded else 0
                finally:
                    if v.transport is not None:
                        v.transport.abort()
            else:
                conn = HttpConn(self.a.http_port, 15)
                try:
                    st, _, _ = await conn.get(["/%s/index.m3u8" % name, "/%s.flv" % name][way])
                finally:
                    conn.abort()
            if st != 404:
                raise RuntimeError("%s answered %d, not 404" % (["hls", "flv", "ws", "rtsp"][way], st))

    async def churn_task(self, kind, n):
        c = self.churn[kind]
        self.churn_inflight += 1
        try:
            await asyncio.wait_for(self.churn_one(kind, n), 20)
            c["ok"] += 1
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - counted per kind
            c["failed"] += 1
            why = re.sub(r"\d+", "N", "%s: %s" % (type(e).__name__, e))[:160]
            c["errors"][why] = c["errors"].get(why, 0) + 1
        finally:
            c["done"] += 1
            self.churn_inflight -= 1

    async def churner(self, t_start, t_end):
        await sleep_until(t_start, self.stop)
        tasks = set()
        n = 0
        tick = t_start
        while not self.stop.is_set() and time.time() < t_end:
            for _ in range(self.a.churn_per_s):
                kind = CHURN_KINDS[n % len(CHURN_KINDS)]
                if self.churn_inflight >= 64:
                    self.churn_skipped += 1
                else:
                    t = asyncio.create_task(self.churn_task(kind, n))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
                n += 1
            tick += 1.0
            await sleep_until(tick, self.stop)
        for t in list(tasks):
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# ------------------------------------------------------------------ the sampler

def parse_metrics(text):
    out = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        i = line.find("{")
        j = line.rfind(" ")
        if i < 0 or i > j:
            name, labels = line[:j], ""
        else:
            name, labels = line[:i], line[i:line.rfind("}") + 1]
        try:
            v = float(line[j + 1:])
        except ValueError:
            continue
        out.setdefault(name, []).append((labels, v))
    return out


def msum(m, name, *want):
    """The sum of a series over the label sets that contain every `key="value"` in want; None when absent."""
    rows = m.get(name)
    if rows is None:
        return None
    return sum(v for labels, v in rows if all(w in labels for w in want))


GC_AFTER = re.compile(r"GC\((\d+)\) Pause.* (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\) ([\d.]+)ms")
UNIT = {"K": 1 / 1024, "M": 1, "G": 1024}

COLUMNS = [
    "t_s", "utc", "phase",
    # the node
    "node_cpu_pct", "rss_mb", "heap_after_gc_mb", "heap_used_mb", "heap_committed_mb", "live_data_mb", "nonheap_mb",
    "direct_mb", "direct_buffers", "memory_held_mb", "gop_cache_mb", "http_packaged_mb", "fds", "threads",
    "jvm_threads", "gc_pauses", "gc_pause_ms", "streams_ingest", "node_viewers", "node_viewers_rtmp",
    "node_viewers_flv", "node_viewers_ws", "node_viewers_http", "node_viewers_rtsp", "frames_dropped",
    "viewers_disconnected", "connections_timed_out", "protocol_violations",
    # the clients
    "alive", "alive_rtmp", "alive_flv", "alive_ws", "alive_hls", "alive_rtsp", "stalled",
    "kbps_rtmp", "kbps_flv", "kbps_ws", "kbps_hls", "kbps_rtsp", "reconnects", "churn_done", "churn_failed",
    "churn_skipped", "publisher_restarts", "publisher_exits", "clients_cpu_pct", "load_py_cpu_pct", "publishers_cpu_pct",
    "box_busy_pct",
]


class Sampler:
    def __init__(self, load, a):
        self.load = load
        self.a = a
        self.f = open(os.path.join(a.out, "samples.csv"), "w", newline="")
        self.w = csv.DictWriter(self.f, fieldnames=COLUMNS)
        self.w.writeheader()
        self.f.flush()
        self.prev = None
        self.gc_off = 0
        self.gc_after = None
        self.gc_partial = ""

    def gc_read(self):
        """New pauses of the GC log since the last read: (count, pause ms); the last 'after' figure is kept."""
        count, ms = 0, 0.0
        if not self.a.gc_log or not os.path.exists(self.a.gc_log):
            return count, ms
        with open(self.a.gc_log, "r", errors="replace") as f:
            f.seek(self.gc_off)
            data = f.read()
            self.gc_off = f.tell()
        data = self.gc_partial + data
        lines = data.split("\n")
        self.gc_partial = lines.pop()
        for line in lines:
            m = GC_AFTER.search(line)
            if m:
                count += 1
                ms += float(m.group(8))
                self.gc_after = int(m.group(4)) * UNIT[m.group(5)]
        return count, ms

    def client_ticks(self):
        """(this process and every child it ran, the publishers), in ticks since it started. A child's time is
        read from /proc while it runs and from os.times() once it has been reaped: os.times() is read after the
        children are polled here, so a child reaped by that poll is counted once, not lost for a sample."""
        total = 0
        live = [s.proc for s in self.load.slots if s.proc is not None] + list(self.load.churn_procs)
        for p in live:
            if p.poll() is None:
                total += proc_ticks(p.pid) or 0
        for pub in self.load.pubs:
            p = pub["proc"]
            if p is not None and p.poll() is None:
                v = proc_ticks(p.pid)
                if v is not None:
                    self.load.pub_ticks[p.pid] = v
                total += v or 0
        t = os.times()
        total += (t.user + t.system + t.children_user + t.children_system) * CLK_TCK
        return total, sum(self.load.pub_ticks.values()), (t.user + t.system) * CLK_TCK

    async def sample(self, t0, phase):
        a, load = self.a, self.load
        now_m, now = time.monotonic(), time.time()
        pid = a.node_pid
        ticks = proc_ticks(pid)
        st = proc_status(pid)
        fds = proc_fds(pid)
        box = box_ticks()
        m = {}
        try:
            code, body, _ = await HttpConn(a.http_port, 5).get("/metrics")
            if code == 200:
                m = parse_metrics(body.decode("utf-8", "replace"))
        except (OSError, HttpError, asyncio.TimeoutError) as e:
            log("metrics: %r" % e)
        gc_n, gc_ms = self.gc_read()
        cl_ticks, pub_ticks, py_ticks = self.client_ticks()

        def mb(v):
            return None if v is None else round(v / 1048576, 2)

        row = {"t_s": round(now - t0, 1), "utc": time.strftime("%H:%M:%S", time.gmtime(now)), "phase": phase,
               "rss_mb": round(st["VmRSS"] / 1024, 1) if "VmRSS" in st else None,
               "threads": st.get("Threads"), "fds": fds,
               "heap_after_gc_mb": round(self.gc_after, 1) if self.gc_after is not None else None,
               "heap_used_mb": mb(msum(m, "jvm_memory_used_bytes", 'area="heap"')),
               "heap_committed_mb": mb(msum(m, "jvm_memory_committed_bytes", 'area="heap"')),
               "live_data_mb": mb(msum(m, "jvm_gc_live_data_size_bytes")),
               "nonheap_mb": mb(msum(m, "jvm_memory_used_bytes", 'area="nonheap"')),
               "direct_mb": mb(msum(m, "jvm_buffer_memory_used_bytes", 'id="direct"')),
               "direct_buffers": msum(m, "jvm_buffer_count_buffers", 'id="direct"'),
               "memory_held_mb": mb(msum(m, "cascade_memory_held_bytes")),
               "gop_cache_mb": mb(msum(m, "cascade_gop_cache_bytes")),
               "http_packaged_mb": mb(msum(m, "cascade_http_packaged_bytes")),
               "jvm_threads": msum(m, "jvm_threads_live_threads"),
               "gc_pauses": gc_n, "gc_pause_ms": round(gc_ms, 1),
               "streams_ingest": msum(m, "cascade_streams", 'role="ingest"'),
               "node_viewers": msum(m, "cascade_viewers"),
               "frames_dropped": msum(m, "cascade_frames_dropped_total"),
               "viewers_disconnected": msum(m, "cascade_viewers_disconnected_total"),
               "connections_timed_out": msum(m, "cascade_connections_timed_out_total"),
               "protocol_violations": msum(m, "cascade_protocol_violations_total")}
        for p in ("rtmp", "flv", "ws", "http", "rtsp"):
            row["node_viewers_" + p] = msum(m, "cascade_viewers", 'protocol="%s"' % p)
        ints = ("streams_ingest", "node_viewers", "frames_dropped", "viewers_disconnected", "connections_timed_out",
                "protocol_violations", "direct_buffers", "jvm_threads")
        for k in ints + tuple("node_viewers_" + p for p in ("rtmp", "flv", "ws", "http", "rtsp")):
            if row[k] is not None:
                row[k] = int(row[k])
        # this side
        alive = {p: 0 for p in PROTOCOLS}
        delta = {p: 0 for p in PROTOCOLS}
        stalled = 0
        for s in load.slots:
            tot = s.total()
            d = tot - s.last_total
            s.last_total = tot
            delta[s.proto] += d
            if s.alive:
                alive[s.proto] += 1
                if self.prev is not None and d == 0 and phase == "run":
                    stalled += 1
                    s.zero_intervals += 1
        row["alive"] = sum(alive.values())
        row["stalled"] = stalled
        row["reconnects"] = sum(s.drops for s in load.slots)
        row["churn_done"] = sum(c["done"] for c in load.churn.values())
        row["churn_failed"] = sum(c["failed"] for c in load.churn.values())
        row["churn_skipped"] = load.churn_skipped
        row["publisher_restarts"] = load.restarts
        row["publisher_exits"] = load.pub_exits
        if self.prev is not None:
            pm, pticks, pbox, pcl, ppub, ppy = self.prev
            dt = now_m - pm
            if ticks is not None and pticks is not None:
                row["node_cpu_pct"] = round(100.0 * (ticks - pticks) / CLK_TCK / dt, 1)
            row["box_busy_pct"] = round(100.0 * (box[0] - pbox[0]) / max(1, box[1] - pbox[1]), 1)
            row["publishers_cpu_pct"] = round(100.0 * (pub_ticks - ppub) / CLK_TCK / dt, 1)
            row["clients_cpu_pct"] = round(100.0 * ((cl_ticks - pcl) - (pub_ticks - ppub)) / CLK_TCK / dt, 1)
            row["load_py_cpu_pct"] = round(100.0 * (py_ticks - ppy) / CLK_TCK / dt, 1)
            for p in PROTOCOLS:
                row["alive_" + p] = alive[p]
                row["kbps_" + p] = round(delta[p] * 8 / dt / 1000 / alive[p], 1) if alive[p] else None
        else:
            for p in PROTOCOLS:
                row["alive_" + p] = alive[p]
        self.prev = (now_m, ticks, box, cl_ticks, pub_ticks, py_ticks)
        self.w.writerow(row)
        self.f.flush()
        return row

    async def run(self, t0, duration, sample_s):
        k = 0
        while True:
            t = t0 + k * sample_s
            if t > t0 + duration + 1e-6:
                return
            await sleep_until(t)
            row = await self.sample(t0, "baseline" if k == 0 else "run")
            if k % max(1, int(60 / sample_s)) == 0:
                log("t=%ss rss %s MB, heap after GC %s MB, direct %s MB, fds %s, threads %s, node cpu %s %%, viewers "
                    "%s (node %s), stalled %s, reconnects %s, churn %s (failed %s), clients cpu %s %%"
                    % (row["t_s"], row["rss_mb"], row["heap_after_gc_mb"], row["direct_mb"], row["fds"],
                       row["threads"], row.get("node_cpu_pct"), row["alive"], row["node_viewers"], row["stalled"],
                       row["reconnects"], row["churn_done"], row["churn_failed"], row.get("clients_cpu_pct")))
            k += 1


# ------------------------------------------------------------------ main

def plan_slots(a, streams):
    slots = []
    counts = {"rtmp": a.rtmp, "flv": a.flv, "ws": a.ws, "hls": a.hls, "rtsp": a.rtsp}
    for proto in PROTOCOLS:
        n = counts[proto]
        nff = min(a.ffmpeg_hls if proto == "hls" else a.ffmpeg_rtsp if proto == "rtsp" else 0, n // 2)
        for i in range(n):
            if proto == "rtmp":
                variant = "rtmpdump"
            elif proto == "flv":
                variant = "curl"
            elif proto == "ws":
                variant = "ws"
            elif i < nff:
                variant = "ffmpeg"
            elif proto == "hls":
                variant = "cmaf" if i % 2 == 0 else "ts"
            else:
                variant = "rtsp"
            slots.append(Slot(proto, i, streams[i % len(streams)], variant))
    # interleave the protocols over the ramp: every protocol reaches its full count at the same time
    slots.sort(key=lambda s: (s.idx / max(1, counts[s.proto]), PROTOCOLS.index(s.proto)))
    return slots


async def amain(a):
    loop = asyncio.get_running_loop()
    load = Load(a)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, lambda s=sig: (log("signal %s: stopping" % s.name), load.stop.set()))
    names = ["soak%d" % (i + 1) for i in range(a.rtmp_streams)]
    for s in names:
        load.pubs.append({"stream": s, "proto": "rtmp", "starts": 0, "restarting": False, "proc": None, "since": 0,
                          "cmd": ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-re", "-stream_loop",
                                  "-1", "-i", a.clip, "-c", "copy", "-f", "flv", load.rtmp_url(s)]})
    if a.rtsp_publish:
        s = "soak%d" % (a.rtmp_streams + 1)
        names.append(s)
        load.pubs.append({"stream": s, "proto": "rtsp", "starts": 0, "restarting": False, "proc": None, "since": 0,
                          "cmd": ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-re", "-stream_loop",
                                  "-1", "-i", a.clip, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp",
                                  load.rtsp_url(s)]})
    load.streams = names
    load.slots = plan_slots(a, names)
    sampler = Sampler(load, a)
    tasks = []
    try:
        for pub in load.pubs:
            load.pub_start(pub)
        log("publishers %s; waiting until every stream is live" % ", ".join(
            "%s (%s)" % (p["stream"], p["proto"]) for p in load.pubs))
        await load.wait_live(a.live_timeout)
        t0 = time.time()
        t_end = t0 + a.duration
        log("live; %d steady viewers over %d s (%s), churn %d/s from t=%ds, a publisher restart every %d s, "
            "a sample every %d s for %d s" % (len(load.slots), a.ramp_s, ", ".join(
                "%s %d" % (p, sum(1 for s in load.slots if s.proto == p)) for p in PROTOCOLS), a.churn_per_s,
                a.ramp_s, a.restart_s, a.sample_s, a.duration))
        tasks.append(asyncio.create_task(load.publishers_watch()))
        n = len(load.slots)
        for i, s in enumerate(load.slots):
            tasks.append(asyncio.create_task(load.run_slot(s, t0 + 1 + a.ramp_s * i / max(1, n))))
        if a.churn_per_s > 0:
            tasks.append(asyncio.create_task(load.churner(t0 + 1 + a.ramp_s, t_end)))
        if a.restart_s > 0 and load.pubs:
            tasks.append(asyncio.create_task(load.restarter(t_end)))
        for at in sorted({int(x) for x in a.nmt_at.split(",") if x.strip()}):
            tasks.append(asyncio.create_task(nmt_snapshot(a, load, t0 + at, at)))
        sampler_task = asyncio.create_task(sampler.run(t0, a.duration, a.sample_s))
        stop_wait = asyncio.create_task(load.stop.wait())
        await asyncio.wait({sampler_task, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        interrupted = load.stop.is_set()
        load.stop.set()
        stop_wait.cancel()
        sampler_task.cancel()
        log("stopping the viewers, the churn and the publishers")
        try:
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        except asyncio.TimeoutError:
            log("some viewers did not stop within 30 s; killing what is left by PID")
        for pub in load.pubs:
            await load.pub_stop(pub, signal.SIGTERM)
        if not interrupted and a.cooldown_s > 0:
            log("cooldown: %d s with no client, then one more sample" % a.cooldown_s)
            await asyncio.sleep(a.cooldown_s)
            row = await sampler.sample(t0, "cooldown")
            log("cooldown: rss %s MB, heap after GC %s MB, direct %s MB, fds %s, threads %s, node viewers %s"
                % (row["rss_mb"], row["heap_after_gc_mb"], row["direct_mb"], row["fds"], row["threads"],
                   row["node_viewers"]))
    finally:
        load.stop.set()
        for t in tasks:
            t.cancel()
        for s in load.slots:  # whatever is left, by PID
            if s.proc is not None and s.proc.poll() is None:
                s.proc.kill()
        for p in list(load.churn_procs) + [pub["proc"] for pub in load.pubs if pub["proc"] is not None]:
            if p.poll() is None:
                p.kill()
        for p in [s.proc for s in load.slots if s.proc is not None] + list(load.churn_procs) + [
                pub["proc"] for pub in load.pubs if pub["proc"] is not None]:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        sampler.f.close()
        write_clients(a, load)


async def nmt_snapshot(a, load, t, label):
    """The node's native memory by category (what RSS is made of) at time t; jcmd runs once, bounded."""
    await sleep_until(t - 0.5, load.stop)  # before the sample of the same second, so it does not read jcmd's work
    if load.stop.is_set() and time.time() < t - 1:
        return
    path = os.path.join(a.out, "nmt-t%d.txt" % label)
    with open(path, "wb") as f:
        p = spawn(["jcmd", str(a.node_pid), "VM.native_memory", "summary"], out=f)
        deadline = time.monotonic() + 30
        while p.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        if p.poll() is None:
            p.kill()
            p.wait()
    log("native memory at t=%ds: %s" % (label, path))


def write_clients(a, load):
    per = {}
    for p in PROTOCOLS:
        ss = [s for s in load.slots if s.proto == p]
        errs = {}
        for s in ss:
            for k, v in s.errors.items():
                errs[k] = errs.get(k, 0) + v
        per[p] = {"viewers": len(ss), "variants": sorted({s.variant for s in ss}),
                  "bytes": sum(s.total() for s in ss),
                  "got_nothing": sum(1 for s in ss if s.total() == 0),
                  "reconnects": sum(s.drops for s in ss),
                  "zero_byte_intervals": sum(s.zero_intervals for s in ss),
                  "min_bytes": min((s.total() for s in ss), default=None),
                  "median_bytes": statistics.median([s.total() for s in ss]) if ss else None,
                  "errors": dict(sorted(errs.items(), key=lambda kv: -kv[1])[:10])}
    out = {"protocols": per,
           "churn": load.churn, "churn_skipped": load.churn_skipped,
           "publishers": [{"stream": p["stream"], "protocol": p["proto"], "starts": p["starts"]} for p in load.pubs],
           "publisher_restarts": load.restarts, "publisher_exits": load.pub_exits,
           "slots": [{"protocol": s.proto, "variant": s.variant, "stream": s.stream, "bytes": s.total(),
                      "connects": s.connects, "reconnects": s.drops, "zero_byte_intervals": s.zero_intervals,
                      "errors": s.errors} for s in load.slots]}
    with open(os.path.join(a.out, "clients.json"), "w") as f:
        json.dump(out, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--node-pid", type=int, required=True)
    ap.add_argument("--rtmp-port", type=int, required=True)
    ap.add_argument("--rtsp-port", type=int, required=True)
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--clip", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--gc-log")
    ap.add_argument("--duration", type=int, default=3600)
    ap.add_argument("--sample-s", type=int, default=10)
    ap.add_argument("--ramp-s", type=int, default=30)
    ap.add_argument("--cooldown-s", type=int, default=20)
    ap.add_argument("--live-timeout", type=int, default=60)
    for p, d in (("rtmp", 80), ("flv", 40), ("ws", 40), ("hls", 20), ("rtsp", 20)):
        ap.add_argument("--" + p, type=int, default=d, help="steady %s viewers" % p)
    ap.add_argument("--ffmpeg-hls", type=int, default=2, help="of the HLS viewers, how many are ffmpeg")
    ap.add_argument("--ffmpeg-rtsp", type=int, default=2, help="of the RTSP viewers, how many are ffmpeg")
    ap.add_argument("--rtmp-streams", type=int, default=2)
    ap.add_argument("--rtsp-publish", type=int, default=1, choices=[0, 1])
    ap.add_argument("--churn-per-s", type=int, default=6)
    ap.add_argument("--restart-s", type=int, default=300, help="a publisher restart every that many s; 0: none")
    ap.add_argument("--nmt-at", default="", help="seconds (comma-separated) at which to save `jcmd PID "
                    "VM.native_memory summary` as nmt-t<s>.txt (the node must run with -XX:NativeMemoryTracking)")
    a = ap.parse_args()
    if not 1 <= a.duration <= 7 * 86400 or not 1 <= a.sample_s <= 3600 or a.ramp_s < 0 or a.cooldown_s < 0:
        ap.error("duration 1 s..7 days, sample-s 1..3600, ramp-s and cooldown-s >= 0")
    if not 1 <= a.rtmp_streams <= 20 or not 0 <= a.churn_per_s <= 100 or a.restart_s < 0:
        ap.error("rtmp-streams 1..20, churn-per-s 0..100, restart-s >= 0")
    if any(getattr(a, p) < 0 or getattr(a, p) > 5000 for p in PROTOCOLS):
        ap.error("each viewer count must be 0..5000")
    os.makedirs(os.path.join(a.out, "logs"), exist_ok=True)
    global LOG_FILE
    LOG_FILE = open(os.path.join(a.out, "logs", "load.log"), "a")
    signal.alarm(a.duration + a.ramp_s + a.live_timeout + a.cooldown_s + 300)
    asyncio.run(amain(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
