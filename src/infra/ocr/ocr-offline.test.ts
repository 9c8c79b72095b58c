// OCR never touches the network: a child process with every DNS lookup, socket connect and
// fetch blocked (in all its threads) recognises an image with the default pool, from an empty
// working directory that stays empty (no traineddata cache written). The same child then points
// a pool at the CDN tesseract.js downloads from by default, to show the blocker does see the
// engine thread's fetch: that attempt is logged and fails cleanly.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { greyPng } from './ocr-test-images.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const preload = path.join(repoRoot, 'test/helpers/block-network.cjs');
const probe = path.join(repoRoot, 'test/helpers/ocr-offline-probe.ts');

/** A white page with one black bar: enough for the engine to run end to end. */
function barImage(): Buffer {
  return greyPng(300, 120, (x, y) => (y > 50 && y < 70 && x > 30 && x < 270 ? 0 : 255));
}

function run(args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('OCR offline', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-ocr-offline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recognises with the network blocked and writes nothing to the working directory', async () => {
    const cwd = path.join(dir, 'cwd');
    const log = path.join(dir, 'network.log');
    const image = path.join(dir, 'page.png');
    writeFileSync(image, barImage());
    writeFileSync(log, '');
    mkdirSync(cwd);

    const tsx = import.meta.resolve('tsx');
    const { code, stdout, stderr } = await run(
      ['--import', tsx, probe, image],
      {
        NODE_OPTIONS: `--require ${preload}`,
        BLOCK_NETWORK_LOG: log,
        HTTP_PROXY: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
      },
      cwd,
    );
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      image: unknown;
      words: string[];
      logAfterOffline: string;
      onlineError: string;
    };
    // The default pool: the engine ran, and nothing tried the network.
    expect(report.image).toEqual({ format: 'png', width: 300, height: 120 });
    expect(report.words).toEqual([]);
    expect(report.logAfterOffline).toBe('');
    expect(readdirSync(cwd)).toEqual([]);

    // The control: the CDN langPath was tried from the engine's thread, blocked, and reported.
    const attempts = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; target: string; thread: unknown });
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts[0]).toMatchObject({
      kind: 'fetch',
      target: expect.stringContaining('cdn.jsdelivr.net'),
    });
    expect(attempts[0]?.thread).not.toBe('main');
    expect(report.onlineError).toMatch(/OcrUnavailableError: The OCR engine could not start/);
  });
});
