/*
 * Cascade WebSocket player: plays ws://<host>/<stream>/ws in a <video> through Media Source Extensions.
 * Served by every edge node at /player/ws.js; no dependencies.
 *
 *   const player = new CascadeWsPlayer(videoElement, 'ws://127.0.0.1:8888/test/ws', { latency: 1.0 });
 *   player.onerror = (e) => console.log(e);
 *   player.start();            // ... player.stop();
 *
 * The server sends a text message with the MIME type and codecs, a binary init segment, then one binary movie
 * fragment per frame; a new text + init pair comes when the codecs change. Before each keyframe's fragment comes a
 * text message {"wallclock": <epoch ms>, "time": <s>}: when the server's ingest got that frame, and its decode time
 * on the media timeline; wallclockAt(video.currentTime) answers from them when the picture shown was ingested.
 * bytesReceived counts every message's bytes. The player makes one SourceBuffer per
 * MIME type (a new MediaSource when it changes), starts `latency` seconds behind the newest frame once that much
 * is buffered, jumps forward when it falls far behind, steps over small holes, and trims what it has played.
 */
(function (global) {
  'use strict';

  const MAX_BEHIND_S = 4;     // further behind the live edge than this: jump to `latency` behind it
  const KEEP_BEHIND_S = 20;   // buffer kept behind the playhead; older media is removed
  const GAP_JUMP_S = 0.5;     // a hole this small in front of a stalled playhead is stepped over
  const MAX_QUEUED = 600;     // messages waiting for the SourceBuffer (about 10 s of frames)
  const MAX_CLOCKS = 16;      // clock messages kept (one per keyframe)

  class CascadeWsPlayer {
    constructor(video, url, options) {
      const o = options || {};
      this.video = video;
      this.url = url;
      this.latency = o.latency > 0 ? o.latency : 1.0;
      this.onerror = null;
      this.mime = null;
      this.mediaSource = null;
      this.buffer = null;
      this.queue = [];
      this.socket = null;
      this.stopped = false;
      this.started = false;
      this.timer = null;
      this.clocks = [];
      this.bytesReceived = 0;
    }

    start() {
      if (!global.MediaSource) {
        this.fail({ type: 'unsupported', message: 'Media Source Extensions are not available' });
        return;
      }
      const ws = new WebSocket(this.url);
      ws.binaryType = 'arraybuffer';
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') {
          this.bytesReceived += ev.data.byteLength;
          this.enqueue(ev.data);
          return;
        }
        this.bytesReceived += ev.data.length;
        if (ev.data.charAt(0) === '{') this.clock(ev.data);
        else this.codecs(ev.data);
      };
      ws.onclose = (ev) => {
        if (!this.stopped) this.fail({ type: 'closed', code: ev.code, message: ev.reason || 'connection closed' });
      };
      this.socket = ws;
      this.timer = setInterval(() => this.follow(), 250);
    }

    stop() {
      this.stopped = true;
      clearInterval(this.timer);
      if (this.socket) this.socket.close();
      this.queue = [];
    }

    fail(e) {
      if (typeof this.onerror === 'function') this.onerror(e);
    }

    /** A clock message: the wall clock (epoch ms) of a media time (s). */
    clock(json) {
      let c;
      try {
        c = JSON.parse(json);
      } catch (e) {
        return; // not a clock: nothing to learn from it
      }
      if (!Number.isFinite(c.wallclock) || !Number.isFinite(c.time)) return;
      this.clocks.push({ wallclock: c.wallclock, time: c.time });
      if (this.clocks.length > MAX_CLOCKS) this.clocks.shift();
    }

    /**
     * The wall clock (epoch ms, the server's) at which the ingest got the media at time t (s), from the newest clock
     * message at or before t (the oldest one kept when t is earlier); null before the first.
     */
    wallclockAt(t) {
      let c = null;
      for (const k of this.clocks) {
        if (c === null || k.time <= t) c = k;
      }
      return c === null ? null : c.wallclock + (t - c.time) * 1000;
    }

    /** A text message: the MIME type of what follows. A new one needs a new SourceBuffer. */
    codecs(mime) {
      if (mime === this.mime) return; // the same codecs: the init that follows updates the same buffer
      if (!MediaSource.isTypeSupported(mime)) {
        this.fail({ type: 'unsupported', message: 'this browser cannot play ' + mime });
        return;
      }
      this.mime = mime;
      this.buffer = null;
      this.queue = [];
      this.started = false;
      const ms = new MediaSource();
      this.mediaSource = ms;
      ms.addEventListener('sourceopen', () => {
        if (ms !== this.mediaSource) return;
        try {
          const sb = ms.addSourceBuffer(mime);
          sb.mode = 'segments'; // each fragment's own decode time places it
          sb.addEventListener('updateend', () => this.pump());
          sb.addEventListener('error', () => this.fail({ type: 'buffer', message: 'SourceBuffer error' }));
          this.buffer = sb;
          this.pump();
        } catch (e) {
          this.fail({ type: 'buffer', message: String(e && e.message) });
        }
      }, { once: true });
      this.video.src = URL.createObjectURL(ms);
    }

    enqueue(data) {
      if (this.mime === null) return; // nothing can be appended before the codecs are known
      if (this.queue.length >= MAX_QUEUED) {
        this.fail({ type: 'overflow', message: 'the browser does not keep up; reconnecting is up to the page' });
        this.stop();
        return;
      }
      this.queue.push(data);
      this.pump();
    }

    pump() {
      const sb = this.buffer;
      if (!sb || sb.updating || this.queue.length === 0 || this.mediaSource.readyState !== 'open') return;
      const next = this.queue.shift();
      try {
        sb.appendBuffer(next);
      } catch (e) {
        if (e && e.name === 'QuotaExceededError') {
          this.queue.unshift(next);
          this.trim(true);
        } else {
          this.fail({ type: 'append', message: String(e && e.message) });
        }
      }
    }

    /** Keeps the playhead near the live edge, over small holes, and the buffer small. */
    follow() {
      const v = this.video;
      const sb = this.buffer;
      if (!sb || v.buffered.length === 0) return;
      const end = v.buffered.end(v.buffered.length - 1);
      if (!this.started) {
        const start = v.buffered.start(0);
        if (end - start < this.latency) return; // wait until the player can start `latency` behind
        this.started = true;
        v.currentTime = Math.max(start, end - this.latency);
        const p = v.play();
        if (p && p.catch) p.catch((e) => this.fail({ type: 'play', message: String(e && e.message) }));
        return;
      }
      if (end - v.currentTime > MAX_BEHIND_S) {
        v.currentTime = end - this.latency;
      } else if (v.readyState < 3) {
        for (let i = 0; i < v.buffered.length; i++) {
          const s = v.buffered.start(i);
          if (s > v.currentTime && s - v.currentTime < GAP_JUMP_S) {
            v.currentTime = s + 0.01;
            break;
          }
        }
      }
      this.trim(false);
    }

    trim(now) {
      const sb = this.buffer;
      const v = this.video;
      if (!sb || sb.updating || v.buffered.length === 0) return;
      const start = v.buffered.start(0);
      const until = v.currentTime - (now ? 2 : KEEP_BEHIND_S);
      if (until > start + (now ? 0 : 10)) {
        try {
          sb.remove(start, until);
        } catch (e) {
          // removal is housekeeping: try again on the next tick
        }
      }
    }
  }

  global.CascadeWsPlayer = CascadeWsPlayer;
})(typeof window !== 'undefined' ? window : this);
