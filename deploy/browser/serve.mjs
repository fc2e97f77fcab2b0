#!/usr/bin/env node
// A tiny static file server for the self-check: serves a directory on 127.0.0.1 with CORS headers (or, with
// --no-cors, without them, to show the harness notices), and stops by itself after --max-seconds.
//
//   node serve.mjs --dir <dir> --port-file <file> [--max-seconds 300] [--no-cors]
//
// It listens on an ephemeral port and writes the port number to --port-file once it listens.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.m3u8': 'application/vnd.apple.mpegurl', '.mpd': 'application/dash+xml', '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4', '.m4a': 'audio/mp4', '.ts': 'video/mp2t', '.aac': 'audio/aac',
};

const o = { dir: null, portFile: null, maxSeconds: 300, cors: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--dir') o.dir = path.resolve(argv[++i]);
  else if (argv[i] === '--port-file') o.portFile = argv[++i];
  else if (argv[i] === '--max-seconds') o.maxSeconds = Number(argv[++i]);
  else if (argv[i] === '--no-cors') o.cors = false;
  else { console.error(`unknown argument ${argv[i]}`); process.exit(2); }
}
if (!o.dir || !o.portFile || !(o.maxSeconds > 0)) {
  console.error('usage: node serve.mjs --dir <dir> --port-file <file> [--max-seconds 300] [--no-cors]');
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const headers = { 'Cache-Control': 'no-cache' };
  if (o.cors) {
    headers['Access-Control-Allow-Origin'] = '*';
    headers['Access-Control-Allow-Methods'] = 'GET, HEAD, OPTIONS';
    headers['Access-Control-Allow-Headers'] = '*';
  }
  if (req.method === 'OPTIONS') return res.writeHead(204, headers).end();
  if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405, headers).end();
  const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = path.join(o.dir, path.normalize(rel));
  if (!file.startsWith(o.dir + path.sep)) return res.writeHead(403, headers).end();
  fs.readFile(file, (err, data) => {
    if (err) return res.writeHead(404, headers).end();
    headers['Content-Type'] = TYPES[path.extname(file)] || 'application/octet-stream';
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : data);
  });
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(o.portFile, String(server.address().port));
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
setTimeout(stop, o.maxSeconds * 1000).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The listening server keeps the process alive; the unref'd timer above still fires while it listens.
