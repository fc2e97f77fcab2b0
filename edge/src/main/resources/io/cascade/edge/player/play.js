// Cascade's player page: plays one stream with the library of the chosen protocol (filled in by the server).
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

  if (protocol === 'hls') {
    const url = here(withQuery('/' + stream + '/index.m3u8'));
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      window.__player = hls;
      hls.on(window.Hls.Events.ERROR, (_e, d) => { if (d.fatal) fail('hls.js: ' + d.type + ' ' + d.details); });
      hls.on(window.Hls.Events.MANIFEST_PARSED, play);
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
    const p = window.dashjs.MediaPlayer().create();
    window.__player = p;
    p.on(window.dashjs.MediaPlayer.events.ERROR, (e) => fail('dash.js: ' + JSON.stringify(e.error || e)));
    p.initialize(video, here(withQuery('/' + stream + '/index.mpd')), true); // dash.js starts playback itself
  } else if (protocol === 'ws') {
    if (!window.CascadeWsPlayer) return fail('the WebSocket player is not available');
    const url = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host
      + withQuery('/' + stream + '/ws');
    const p = new window.CascadeWsPlayer(video, url);
    window.__player = p;
    p.onerror = (e) => fail('WebSocket player: ' + e.type + ' ' + (e.message || ''));
    p.start();
  } else if (protocol === 'flv') {
    const m = window.mpegts;
    if (!m || !m.getFeatureList().mseLivePlayback) return fail('mpegts.js is not available');
    const p = m.createPlayer({ type: 'flv', isLive: true, url: here(withQuery('/' + stream + '.flv')) },
      { enableStashBuffer: false, liveBufferLatencyChasing: true });
    window.__player = p;
    p.on(m.Events.ERROR, (type, detail) => fail('mpegts.js: ' + type + ' ' + detail));
    p.attachMediaElement(video);
    p.load();
    play();
  }
})();
