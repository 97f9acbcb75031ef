/**
 * What the browser tests and the speed measurement share: the site served by web/serve.mjs on a
 * free port, Debian's chromium driven by playwright-core, and a PNG's distinct colours.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface Site {
  url: string;
  close(): void;
}

/** Serves web/dist (built by npm run web:build) on 127.0.0.1 at a free port. */
export async function serveSite(): Promise<Site> {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run npm run web:build first');
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'web', 'serve.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
      if (m !== null) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`web/serve.mjs exited with ${code}`)));
  });
  return { url, close: () => child.kill() };
}

/** Debian's chromium (CHROMIUM=path overrides). */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM;
  if (given !== undefined && given !== '') return given;
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error('no chromium found: install it (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}

/** Distinct RGB colours of a PNG (a blank page has one or two). */
export function distinctColours(png: Buffer): number {
  const img = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4)
    seen.add(((img.data[i] as number) << 16) | ((img.data[i + 1] as number) << 8) | (img.data[i + 2] as number));
  return seen.size;
}

/** Runs the CLI (bin/allocsim) and returns its stdout; fails on a non-zero exit. */
export function cli(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'allocsim'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0) throw new Error(`allocsim ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}
