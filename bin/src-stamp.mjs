// What the compiled dist/ was built from: every file under src/ with its size and modification
// time. tools/build.mjs records it in dist/src-stamp.json; bin/allocsim runs dist/ only when src/
// still has that stamp (an edited, added or removed file changes it: a few milliseconds of stat
// calls, no file read). The stamp is the listing itself, not a hash of it: a start then loads no
// crypto module (5-15 ms here), and the file says what dist/ was built from.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

function entries(srcDir) {
  const dir = resolve(srcDir);
  const out = [];
  // One recursive listing and plain string paths: this runs on every start, before anything else.
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) continue;
    const p = `${e.parentPath}/${e.name}`;
    const s = statSync(p);
    out.push(`${p.slice(dir.length + 1)} ${s.size} ${s.mtimeMs}`);
  }
  return out;
}

/** The stamp of the source tree at `srcDir`: its files, one `path size mtime` line each, sorted. */
export function sourceStamp(srcDir) {
  return entries(srcDir).sort().join('\n');
}

/** True when `distDir` holds a complete build of `srcDir` as it is now. */
export function distIsCurrent(srcDir, distDir) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(distDir, 'src-stamp.json'), 'utf8')).stamp;
  } catch {
    return false;
  }
  return recorded === sourceStamp(srcDir);
}
