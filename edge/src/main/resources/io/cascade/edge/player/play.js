// Cascade's player page: plays one stream with the library of the chosen protocol (filled in by the server), and
// shows once a second what it plays: resolution, bitrate, latency from the server's clock and dropped frames.
(function () {
  'use strict';
  const stream = '@STREAM@';
  const protocol = '@PROTOCOL@';
  // the page's query without protocol= (a play token), for every media request: playlists carry it on to segments
  const query = '@QUERY@';
  const withQuery = (path) => (query ? path + '?' + query : path);
  const video = document.getElementById('v');
  const status = document.getElementById('status');
  const fail = (what) => {
    status.textContent = what;
    (window.__playerErrors = window.__playerErrors || []).push(what);
  };
  const here = (path) => new URL(path, window.location.href).href;
  const play = () => {
    const p = video.play();
    if (p && p.catch) p.catch((e) => fail('play: ' + (e && e.message)));
  };
  // What each player tells the stats: bytes it received so far (or its own rate in bit/s), and the wall clock (the
  // server's epoch ms) at which the ingest got the picture shown now, where the protocol says it.
  const source = { bytes: 0, rateBps: null, wallclock: null };

  if (protocol === 'hls') {
    const url = here(withQuery('/' + stream + '/index.m3u8'));
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      window.__player = hls;
      hls.on(window.Hls.Events.ERROR, (_e, d) => { if (d.fatal) fail('hls.js: ' + d.type + ' ' + d.details); });
      hls.on(window.Hls.Events.MANIFEST_PARSED, play);
      hls.on(window.Hls.Events.FRAG_LOADED, (_e, d) => { source.bytes += d.frag.stats.loaded || 0; });
      // from the segments' EXT-X-PROGRAM-DATE-TIME
      source.wallclock = () => (hls.playingDate ? hls.playingDate.getTime() : null);
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url; // native HLS (Safari)
      play();
    } else {
      fail('hls.js is not available');
    }
  } else if (protocol === 'dash') {
    if (!window.dashjs) return fail('dash.js is not available');
    const events = window.dashjs.MediaPlayer.events;
    const p = window.dashjs.MediaPlayer().create();
    window.__player = p;
    p.on(events.ERROR, (e) => fail('dash.js: ' + JSON.stringify(e.error || e)));
    p.on(events.FRAGMENT_LOADING_COMPLETED, (e) => { source.bytes += e.response ? e.response.byteLength || 0 : 0; });
    // the MPD's availabilityStartTime plus the position (its period starts at 0)
    source.wallclock = () => { const s = p.timeAsUTC(); return s > 0 ? s * 1000 : null; };
    p.initialize(video, here(withQuery('/' + stream + '/index.mpd')), true); // dash.js starts playback itself
  } else if (protocol === 'ws') {
    if (!window.CascadeWsPlayer) return fail('the WebSocket player is not available');
    const url = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host
      + withQuery('/' + stream + '/ws');
    const p = new window.CascadeWsPlayer(video, url, { latency: 0.5 });
    window.__player = p;
    p.onerror = (e) => fail('WebSocket player: ' + e.type + ' ' + (e.message || ''));
    Object.defineProperty(source, 'bytes', { get: () => p.bytesReceived });
    source.wallclock = () => p.wallclockAt(video.currentTime); // from the server's clock messages
    p.start();
  } else if (protocol === 'flv') {
    const m = window.mpegts;
    if (!m || !m.getFeatureList().mseLivePlayback) return fail('mpegts.js is not available');
    const p = m.createPlayer({ type: 'flv', isLive: true, url: here(withQuery('/' + stream + '.flv')) },
      { enableStashBuffer: false, liveBufferLatencyChasing: true });
    window.__player = p;
    p.on(m.Events.ERROR, (type, detail) => fail('mpegts.js: ' + type + ' ' + detail));
    p.on(m.Events.STATISTICS_INFO, (s) => { source.rateBps = (s.speed || 0) * 1024 * 8; }); // KiB/s, last second
    // no latency: FLV tags carry media time only, and mpegts.js rebases it to its own start
    p.attachMediaElement(video);
    p.load();
    play();
  }

  // The server's clock: offset = server - local at the middle of the shortest of a few round trips to /time.
  const clock = { offsetMs: null, rttMs: null };
  (async () => {
    for (let i = 0; i < 5; i++) {
      try {
        const t0 = Date.now();
        const server = Date.parse(await (await fetch('/time', { cache: 'no-store' })).text());
        const t1 = Date.now();
        if (Number.isFinite(server) && (clock.rttMs === null || t1 - t0 < clock.rttMs)) {
          clock.rttMs = t1 - t0;
          clock.offsetMs = server - (t0 + t1) / 2;
        }
      } catch (e) {
        // a lost sample: the others decide
      }
    }
  })();

  const statsLine = document.getElementById('stats');
  const WINDOW_MS = 6000; // bitrate over the last 6 s: 3 segments of HLS or DASH at the default 2 s
  const history = [];
  setInterval(() => {
    const now = Date.now();
    history.push({ at: now, bytes: source.bytes });
    while (history.length > 2 && now - history[1].at >= WINDOW_MS) history.shift();
    const first = history[0];
    const bitrateBps = source.rateBps !== null ? source.rateBps
      : now > first.at ? (source.bytes - first.bytes) * 8000 / (now - first.at) : 0;
    const shown = source.wallclock && video.currentTime > 0 ? source.wallclock() : null;
    const latencyMs = shown !== null && Number.isFinite(shown) && clock.offsetMs !== null
      ? Math.round(now + clock.offsetMs - shown) : null;
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    const s = {
      width: video.videoWidth, height: video.videoHeight, bitrateBps: Math.round(bitrateBps), latencyMs,
      droppedFrames: q ? q.droppedVideoFrames : null, totalFrames: q ? q.totalVideoFrames : null,
      clockOffsetMs: clock.offsetMs, clockRttMs: clock.rttMs, at: now,
    };
    window.__playerStats = s;
    statsLine.textContent = (s.width ? s.width + 'x' + s.height : 'no picture yet')
      + ' \u00b7 ' + (bitrateBps / 1e6).toFixed(2) + ' Mbit/s'
      + ' \u00b7 latency ' + (latencyMs === null ? 'n/a' : (latencyMs / 1000).toFixed(2) + ' s')
      + ' \u00b7 dropped ' + (q ? s.droppedFrames + ' of ' + s.totalFrames + ' frames' : 'n/a');
  }, 1000);
})();
