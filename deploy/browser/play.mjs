#!/usr/bin/env node
// Plays a live HLS or DASH stream with hls.js or dash.js, or a Cascade WebSocket fMP4 stream with the player
// script the node serves (/player/ws.js, Media Source Extensions), in headless Chromium and says, as ONE JSON line
// on stdout, whether it played.
//
//   node play.mjs --player hls|dash|ws --url <manifest or ws:// URL> [--seconds 10] [--timeout 30] [--audio-only]
//                 [--live-delay S] [--verbose]
//   node play.mjs --player page --url <a node's player page, http://host:port/play/<stream>?protocol=...> ...
//                 [--screenshot file.png] [--viewport 1280x720]
//
// --player page opens the node's own player page instead of the harness's, and judges its <video id="v"> the
// same way; errors the page reports in window.__playerErrors count as fatal. What the page shows as its stats
// (window.__playerStats: size, bitrate, latency from the server clock, dropped frames) goes into the JSON line:
// "pageStats" (the last reading), "latencyMs" (the median of the page's latency readings over the --seconds window,
// null when it gave none), "latencyMaxMs" and "latencyReadings".
// --screenshot FILE saves a PNG of the page at the end of the window (whatever the verdict); --viewport WxH sizes
// the browser's page (default 1280x720).
//
// --live-delay S starts playback S seconds behind the live edge (hls.js liveSyncDuration, dash.js
// streaming.delay.liveDelay, the ws player's latency) instead of where the player's defaults and the manifest put it.
// --verbose logs every response (status, URL) and each reading of the player (time, buffered ranges) to stderr.
//
// The player page is served by a tiny HTTP server of this script's own on 127.0.0.1 and an ephemeral port, so
// the page's origin is never the manifest's: every manifest and segment request is cross-origin and CORS is
// exercised for real. Progress goes to stderr; stdout carries only the JSON line.
//
// The verdict, "ok": true only if all of these hold
//   - playback started (the video element fired 'playing' and currentTime then moved) within --timeout seconds;
//   - over the next --seconds of wall-clock time currentTime advanced by at least MIN_ADVANCE_RATIO (0.8) of
//     them: live playback runs at 1x, so this allows up to 20% of the window stalled (2 s of 10 s) and no more;
//   - no fatal error: hls.js ERROR events with data.fatal, any dash.js 'error' or 'playbackError' event, an
//     error on the <video> element, or a crash of the page;
//   - without --audio-only: the video has a size (videoWidth and videoHeight > 0) and frames were decoded;
//     with --audio-only: audio was decoded (webkitAudioDecodedByteCount > 0); the video size is not checked.
// Non-fatal player errors, failed requests and console errors are listed in "errors" (capped) but do not fail.
// Exit code: 0 when ok, 1 when not, 2 on bad arguments (a JSON line is printed in every case).
//
// Bounds: the run is killed after --timeout + --seconds + 20 s whatever happens (the browser with it), the
// browser and the page server are closed on every path, and only loopback manifest URLs are accepted. The
// browser resolves no host but loopback (--host-resolver-rules), and dash.js's default time source (a public
// time server) is replaced by the page server's /time, so nothing leaves the machine.

import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const MIN_ADVANCE_RATIO = 0.8;
const SAMPLE_MS = 250;
const MAX_LISTED_ERRORS = 30;
const LIBS = {
  hls: { route: '/lib/hls.min.js', file: path.join(HERE, 'node_modules/hls.js/dist/hls.min.js') },
  dash: { route: '/lib/dash.all.min.js', file: path.join(HERE, 'node_modules/dashjs/dist/modern/umd/dash.all.min.js') },
};
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  // Nothing but loopback resolves (IP literals included): a player default pointing outside cannot leak.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.*, EXCLUDE [::1]',
];

const log = (...a) => process.stderr.write(`[play.mjs ${new Date().toISOString()}] ${a.join(' ')}\n`);

// ---------------------------------------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    player: null, url: null, seconds: 10, timeout: 30, audioOnly: false, liveDelay: null, verbose: false,
    screenshot: null, viewport: '1280x720',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--player') o.player = value();
    else if (a === '--url') o.url = value();
    else if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--timeout') o.timeout = Number(value());
    else if (a === '--audio-only') o.audioOnly = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--live-delay') o.liveDelay = Number(value());
    else if (a === '--screenshot') o.screenshot = path.resolve(value());
    else if (a === '--viewport') o.viewport = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!['hls', 'dash', 'ws', 'page'].includes(o.player)) throw new Error('--player must be hls, dash, ws or page');
  if (!o.url) throw new Error('--url is required');
  let u;
  try { u = new URL(o.url); } catch { throw new Error(`not a URL: ${o.url}`); }
  const schemes = o.player === 'ws' ? ['ws:', 'wss:'] : ['http:', 'https:'];
  if (!schemes.includes(u.protocol)) throw new Error(`--url must be ${schemes.join(' or ')} for ${o.player}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`--url must be on loopback (127.0.0.0/8, localhost, [::1]), not ${u.hostname}`);
  }
  if (!Number.isFinite(o.seconds) || o.seconds < 1 || o.seconds > 600) throw new Error('--seconds must be 1..600');
  if (!Number.isFinite(o.timeout) || o.timeout < 1 || o.timeout > 600) throw new Error('--timeout must be 1..600');
  if (o.liveDelay !== null && !(o.liveDelay > 0 && o.liveDelay <= 120)) throw new Error('--live-delay must be 0..120');
  const vp = /^(\d{2,4})x(\d{2,4})$/.exec(o.viewport);
  if (!vp) throw new Error('--viewport must be WxH, e.g. 1280x720');
  o.viewport = { width: Number(vp[1]), height: Number(vp[2]) };
  return o;
}

// ----------------------------------------------------------------------------------------------- result

let printed = false;
function emit(result) {
  if (printed) return;
  printed = true;
  process.stdout.write(JSON.stringify(result) + '\n');
}

const result = {
  ok: false, player: null, url: null, pageOrigin: null, audioOnly: false,
  startupMs: null, startTime: null, endTime: null, advanced: 0, seconds: null, minAdvance: null, liveDelay: null,
  videoWidth: 0, videoHeight: 0, videoFrames: 0, droppedFrames: 0, audioBytes: 0,
  pageStats: null, latencyMs: null, latencyMaxMs: null, latencyReadings: 0, screenshot: null,
  stalled: false, stalls: 0, stalledMs: 0, waitingEvents: 0,
  fatalErrors: [], errors: [], failures: [], elapsedMs: 0,
};
const started = Date.now();
let droppedErrors = 0;
function addError(e) {
  if (result.errors.length < MAX_LISTED_ERRORS) result.errors.push(e);
  else droppedErrors++;
}

let server = null;
let browser = null;
let finishing = false;

async function finish(code) {
  if (finishing) return;
  finishing = true;
  result.elapsedMs = Date.now() - started;
  if (droppedErrors > 0) result.errors.push(`... ${droppedErrors} more errors not listed`);
  emit(result);
  // Close everything, each step bounded; process.exit then kills whatever is left (playwright-core's exit
  // handler kills the browser it launched).
  const bounded = (p, ms) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, ms))]);
  if (browser) await bounded(browser.close(), 5000);
  if (server) {
    server.closeAllConnections?.();
    await bounded(new Promise((r) => server.close(r)), 2000);
  }
  process.exit(code);
}

// ------------------------------------------------------------------------------------------- page server

// The WebSocket player is the node's own script: the page loads it from the stream's server, over HTTP.
function wsPlayerScript(url) {
  const u = new URL(url);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/player/ws.js`;
}

function pageHtml(player, url) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>cascade ${player} player</title></head>
<body style="margin:0;background:#000">
<video id="v" muted playsinline width="640" height="360"></video>
${player === 'page' ? '' : `<script src="${player === 'ws' ? wsPlayerScript(url) : LIBS[player].route}"></script>`}
</body></html>`;
}

function startServer(player, url) {
  const lib = player === 'ws' || player === 'page' ? null : fs.readFileSync(LIBS[player].file);
  const html = pageHtml(player, url);
  const srv = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    const headers = { 'Cache-Control': 'no-store' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
    } else if (p === '/' || p === '/index.html') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    } else if (lib !== null && p === LIBS[player].route) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(lib);
    } else if (p === '/time') { // dash.js's UTC time source (urn:mpeg:dash:utc:http-iso:2014)
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain' }).end(new Date().toISOString());
    } else if (p === '/favicon.ico') {
      res.writeHead(204, headers).end();
    } else {
      res.writeHead(404, headers).end();
    }
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

// ------------------------------------------------------------------------------------ in the page (browser)

// Runs inside the page: wires the player to the <video> and keeps everything the harness reads in window.__h.
function startInPage({ player, url, timeUrl, liveDelay, verbose }) {
  const v = document.getElementById('v');
  const h = {
    t0: performance.now(), playingAt: null, timeAtPlaying: null, movedAt: null,
    waiting: 0, fatal: [], errors: [],
  };
  window.__h = h;
  const str = (x) => (x === undefined || x === null ? undefined : String(x).slice(0, 300));
  v.muted = true;
  v.addEventListener('playing', () => {
    if (h.playingAt === null) {
      h.playingAt = performance.now();
      h.timeAtPlaying = v.currentTime;
    }
  });
  v.addEventListener('timeupdate', () => {
    if (h.playingAt !== null && h.movedAt === null && v.currentTime > h.timeAtPlaying) h.movedAt = performance.now();
  });
  v.addEventListener('waiting', () => { h.waiting++; });
  v.addEventListener('error', () => {
    h.fatal.push({ source: 'video', code: v.error && v.error.code, message: str(v.error && v.error.message) });
  });
  const play = () => v.play().catch((e) => h.errors.push({ source: 'video.play', message: str(e && e.message) }));

  if (player === 'page') {
    // the node's page started its player as it loaded: it may be playing already
    if (!v.paused && v.readyState >= 3) {
      h.playingAt = performance.now();
      h.timeAtPlaying = v.currentTime;
    }
    setInterval(() => {
      const reported = window.__playerErrors;
      if (reported && reported.length) reported.splice(0).forEach((m) => h.fatal.push({ source: 'page', message: str(m) }));
    }, 200);
  } else if (player === 'ws') {
    const Player = window.CascadeWsPlayer;
    if (!Player) {
      h.fatal.push({ source: 'ws', message: 'the node did not serve /player/ws.js' });
      return;
    }
    const p = new Player(v, url, { latency: liveDelay || 1.0 });
    window.__player = p;
    p.onerror = (e) => h.fatal.push({ source: 'ws', type: e.type, code: e.code, message: str(e.message) });
    p.start(); // it calls play() itself once it has buffered its latency
  } else if (player === 'hls') {
    const Hls = window.Hls;
    if (!Hls || !Hls.isSupported()) {
      h.fatal.push({ source: 'hls.js', message: 'hls.js missing or MediaSource not supported' });
      return;
    }
    const config = { debug: !!verbose };
    if (liveDelay) config.liveSyncDuration = liveDelay;
    const hls = new Hls(config);
    window.__player = hls;
    hls.on(Hls.Events.ERROR, (_ev, d) => {
      const e = {
        source: 'hls.js', type: d.type, details: d.details, fatal: !!d.fatal,
        message: str((d.error && d.error.message) || d.reason),
        url: str(d.url || (d.frag && d.frag.url) || (d.context && d.context.url)),
        status: d.response && d.response.code,
      };
      (d.fatal ? h.fatal : h.errors).push(e);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, play);
    hls.loadSource(url);
    hls.attachMedia(v);
  } else {
    const dashjs = window.dashjs;
    if (!dashjs || !dashjs.MediaPlayer) {
      h.fatal.push({ source: 'dash.js', message: 'dash.js missing' });
      return;
    }
    const p = dashjs.MediaPlayer().create();
    window.__player = p;
    // dash.js's default UTC time source is a public time server, unreachable here: the page server's /time
    // (same machine, so the same clock as the stream's server) stands in for it. A UTCTiming element in the
    // manifest still comes first.
    p.updateSettings({
      debug: { logLevel: verbose ? dashjs.Debug.LOG_LEVEL_DEBUG : dashjs.Debug.LOG_LEVEL_WARNING },
      streaming: { utcSynchronization: { defaultTimingSource: { scheme: 'urn:mpeg:dash:utc:http-iso:2014', value: timeUrl } } },
    });
    if (liveDelay) p.updateSettings({ streaming: { delay: { liveDelay } } });
    const onError = (ev) => {
      const err = ev.error || {};
      h.fatal.push({
        source: 'dash.js', type: ev.type, code: err.code,
        message: str(err.message || (typeof ev.error === 'string' ? ev.error : undefined)),
      });
    };
    p.on(dashjs.MediaPlayer.events.ERROR, onError);
    p.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, onError);
    // dash.js starts playback itself (autoplay: initialize's third argument). A play() of ours, or an autoplay
    // attribute, would fire 'play' before dash.js listens for it, and dash.js would then never refresh a
    // dynamic manifest: it holds manifest updates until it has seen playback start.
    p.initialize(v, null, true);
    p.attachSource(url);
  }
}

// Runs inside the page: one reading of the player's state.
function snapshotInPage() {
  const v = document.getElementById('v');
  const h = window.__h;
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
  const out = {
    now: performance.now(), t0: h.t0, playingAt: h.playingAt, movedAt: h.movedAt,
    currentTime: v.currentTime, paused: v.paused, ended: v.ended, readyState: v.readyState,
    videoWidth: v.videoWidth, videoHeight: v.videoHeight,
    videoFrames: q ? q.totalVideoFrames : 0, droppedFrames: q ? q.droppedVideoFrames : 0,
    audioBytes: v.webkitAudioDecodedByteCount || 0, videoBytes: v.webkitVideoDecodedByteCount || 0,
    waiting: h.waiting, fatal: h.fatal.splice(0), errors: h.errors.splice(0),
    pageStats: window.__playerStats ? { ...window.__playerStats } : null,
    buffered: Array.from({ length: v.buffered.length }, (_, i) => `${v.buffered.start(i).toFixed(2)}-${v.buffered.end(i).toFixed(2)}`).join(','),
  };
  return out;
}

// ------------------------------------------------------------------------------------------------- main

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    result.failures.push(`usage: ${e.message}`);
    result.errors.push('usage: node play.mjs --player hls|dash|ws --url <manifest or ws:// URL> [--seconds 10] [--timeout 30]'
      + ' [--audio-only] [--live-delay S] [--verbose] [--screenshot file.png] [--viewport WxH]');
    emit(result);
    process.exit(2);
  }
  Object.assign(result, {
    player: opts.player, url: opts.url, audioOnly: opts.audioOnly, seconds: opts.seconds, liveDelay: opts.liveDelay,
    minAdvance: Math.round(opts.seconds * MIN_ADVANCE_RATIO * 1000) / 1000,
  });

  // The one hard bound: whatever hangs, the run ends, and process.exit takes the browser down with it.
  const hardMs = (opts.timeout + opts.seconds + 20) * 1000;
  setTimeout(() => {
    result.failures.push(`hard timeout after ${hardMs} ms`);
    finish(1);
  }, hardMs);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, () => {
      result.failures.push(`stopped by ${sig}`);
      finish(1);
    });
  }

  for (const lib of Object.values(LIBS)) {
    if (!fs.existsSync(lib.file)) throw new Error(`${lib.file} missing: run npm ci in ${HERE}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium`);

  server = await startServer(opts.player, opts.url);
  const pageOrigin = `http://127.0.0.1:${server.address().port}`;
  result.pageOrigin = pageOrigin;
  if (opts.player !== 'page' && new URL(opts.url).origin === pageOrigin) {
    throw new Error('manifest and page share an origin: CORS untested');
  }
  log(`page ${pageOrigin}/ plays ${opts.player} ${opts.url}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: opts.timeout * 1000,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, // ours above close and exit
  });
  log(`chromium ${browser.version()} up`);
  const context = await browser.newContext({ viewport: opts.viewport }); // launch() gave it a fresh, temporary profile
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') addError(`console: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => addError(`pageerror: ${String(e && e.message).slice(0, 300)}`));
  page.on('requestfailed', (r) => addError(`requestfailed: ${r.url().slice(0, 200)} ${r.failure()?.errorText}`));
  page.on('crash', () => result.fatalErrors.push({ source: 'page', message: 'page crashed' }));
  if (opts.verbose) {
    page.on('response', (r) => log(`${r.status()} ${r.request().method()} ${r.url()}`));
    page.on('console', (m) => log(`console.${m.type()}: ${m.text().slice(0, 500)}`));
  }

  const evalMs = 5000;
  await page.goto(opts.player === 'page' ? opts.url : `${pageOrigin}/`, { timeout: opts.timeout * 1000 });
  await withTimeout(page.evaluate(startInPage, { player: opts.player, url: opts.url, timeUrl: `${pageOrigin}/time`, liveDelay: opts.liveDelay, verbose: opts.verbose }), evalMs, 'starting the player');

  const take = async () => {
    const s = await withTimeout(page.evaluate(snapshotInPage), evalMs, 'reading the player');
    result.fatalErrors.push(...s.fatal);
    s.errors.forEach(addError);
    if (opts.verbose) {
      log(`t=${s.currentTime.toFixed(3)} paused=${s.paused} readyState=${s.readyState} buffered=${s.buffered}`
        + ` frames=${s.videoFrames} audioBytes=${s.audioBytes} fatal=${JSON.stringify(s.fatal)} errors=${JSON.stringify(s.errors)}`);
    }
    return s;
  };

  // Wait for playback to start: 'playing' fired and currentTime moved after it.
  const startDeadline = Date.now() + opts.timeout * 1000;
  let s = await take();
  while (s.movedAt === null && result.fatalErrors.length === 0 && Date.now() < startDeadline) {
    await sleep(100);
    s = await take();
  }
  if (s.movedAt === null) {
    result.failures.push(result.fatalErrors.length > 0 ? 'fatal error before playback started'
      : `playback did not start within ${opts.timeout} s (readyState ${s.readyState}, paused ${s.paused})`);
    fill(s);
    return finish(1);
  }
  result.startupMs = Math.round(s.playingAt - s.t0);
  log(`playing after ${result.startupMs} ms at ${s.currentTime.toFixed(3)}`);

  // Sample currentTime for --seconds of wall-clock time.
  const t0 = Date.now();
  result.startTime = s.currentTime;
  const waitingBefore = s.waiting;
  let last = s;
  let lastAt = t0;
  let inStall = false;
  const latencies = new Map(); // the page's readings (it updates them about once a second), by their time
  while (Date.now() - t0 < opts.seconds * 1000 && result.fatalErrors.length === 0) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, opts.seconds * 1000 - (Date.now() - t0))));
    const cur = await take();
    const now = Date.now();
    if (cur.pageStats && Number.isFinite(cur.pageStats.latencyMs)) latencies.set(cur.pageStats.at, cur.pageStats.latencyMs);
    const moved = cur.currentTime > last.currentTime + 0.001;
    if (!moved && !cur.ended) {
      result.stalledMs += now - lastAt;
      if (!inStall) result.stalls++;
      inStall = true;
    } else {
      inStall = false;
    }
    last = cur;
    lastAt = now;
  }
  result.waitingEvents = last.waiting - waitingBefore;
  result.stalled = result.stalls > 0;
  fill(last);
  result.endTime = last.currentTime;
  result.advanced = Math.round((last.currentTime - result.startTime) * 1000) / 1000;
  const lat = [...latencies.values()].sort((a, b) => a - b);
  result.latencyReadings = lat.length;
  if (lat.length > 0) {
    const mid = lat.length >> 1;
    result.latencyMs = lat.length % 2 ? lat[mid] : Math.round((lat[mid - 1] + lat[mid]) / 2);
    result.latencyMaxMs = lat[lat.length - 1];
  }
  if (opts.screenshot) {
    await withTimeout(page.screenshot({ path: opts.screenshot }), evalMs * 2, 'the screenshot');
    result.screenshot = opts.screenshot;
    log(`screenshot ${opts.screenshot}`);
  }

  if (result.advanced < result.minAdvance) {
    result.failures.push(`advanced ${result.advanced} s in ${opts.seconds} s, need ${result.minAdvance}`);
  }
  if (result.fatalErrors.length > 0) result.failures.push('fatal player error');
  if (opts.audioOnly) {
    if (!(result.audioBytes > 0)) result.failures.push('no audio decoded');
  } else {
    if (!(result.videoWidth > 0 && result.videoHeight > 0)) result.failures.push('video has no size');
    if (!(result.videoFrames > 0)) result.failures.push('no video frames decoded');
  }
  result.ok = result.failures.length === 0;
  log(`${result.ok ? 'ok' : 'NOT ok'}: advanced ${result.advanced} s in ${opts.seconds} s`);
  return finish(result.ok ? 0 : 1);
}

function fill(s) {
  Object.assign(result, {
    videoWidth: s.videoWidth, videoHeight: s.videoHeight, videoFrames: s.videoFrames,
    droppedFrames: s.droppedFrames, audioBytes: s.audioBytes, pageStats: s.pageStats,
  });
  if (result.endTime === null) result.endTime = s.currentTime;
}

main().catch((e) => {
  result.failures.push(`harness error: ${String(e && e.message).split('\n')[0].slice(0, 300)}`);
  finish(1);
});
