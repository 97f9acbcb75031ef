/**
 * `npm run web`: serves web/dist (built first by the script) on 127.0.0.1 and prints the URL.
 * A tiny static server: GET and HEAD of files under web/dist, nothing else. PORT=N picks the port
 * (default 8080; 0 takes any free one).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

try {
  statSync(join(root, 'index.html'));
} catch {
  console.error('allocsim web: web/dist/index.html is missing; build the site first with npm run web:build');
  process.exit(2);
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  let size;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
server.on('error', (e) => {
  console.error(
    `allocsim web: cannot listen on 127.0.0.1:${port}: ${e.message}${e.code === 'EADDRINUSE' ? '; choose another port with PORT=8081 npm run web' : ''}`,
  );
  process.exit(2);
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`allocsim playground: http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : port}/`);
});
