// OCR (issue 3 §4): what one page costs with the tesseract.js pool.
//
//   node --import tsx bench/ocr.ts [--runs=7] [--pages=8] [--starts=5]
//
// Images are rendered by Chromium from known text in DejaVu Sans (as the tests do): one
// question (900 px wide, the question-bank ingestion case) and a full A4 sheet of questions at
// 150 dpi (1240 × 1754 px, ~30 lines). Reported:
// - thread start: loading the WASM engine and the English data (median of --starts);
// - recognition time per image (median of --runs, one warm thread, the time inside the engine
//   and the wall time of recognise() with the input checks);
// - word accuracy on the sheet: words of the source text found in order (LCS) / source words;
// - throughput: --pages sheets at once through a pool of 1 and of 2 threads;
// - RSS of the process with 0, 1 and 2 threads holding a recognised page.
// Raw figures go to bench/.tmp/ocr-<time>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { OcrPool } from '../src/infra/ocr/ocr-pool.ts';
import { renderText } from '../src/infra/ocr/ocr-test-images.ts';
import { ENGLISH_LANG_PATH, TesseractThread } from '../src/infra/ocr/tesseract-thread.ts';
import { launchChromium } from '../test/e2e/browser.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, numberOption, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';

const logger = pino({ level: 'silent' });

const QUESTION = [
  'Which fraction is equivalent to one half?',
  'A. Two quarters',
  'B. Three fifths',
  'C. Four sevenths',
];

const TOPICS = [
  'Explain why the boiling point of water falls as altitude increases.',
  'A train travels 120 kilometres in 90 minutes. What is its average speed?',
  'Name two differences between plant and animal cells.',
  'Describe how a bill becomes a law in a parliamentary democracy.',
  'Simplify the expression 3x plus 4 minus x plus 7.',
  'What is the main function of the mitochondria in a cell?',
  'Give one cause and one consequence of the industrial revolution.',
  'Convert three eighths into a decimal and a percentage.',
  'Which gas do plants absorb during photosynthesis?',
  'State the difference between weather and climate.',
];

/** A sheet of numbered questions filling an A4 page at 150 dpi. */
function sheetLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; lines.length < 30; i++) {
    lines.push(`${i + 1}. ${TOPICS[i % TOPICS.length]}`);
    if (i % 3 === 2) lines.push('Show your working and give your answer in full sentences.');
  }
  return lines;
}

/** Words of `expected` recovered in order by `got` (longest common subsequence). */
export function wordAccuracy(expected: string[], got: string[]): number {
  const prev = new Array<number>(got.length + 1).fill(0);
  for (const e of expected) {
    let diag = 0;
    for (let j = 1; j <= got.length; j++) {
      const above = prev[j]!;
      prev[j] = e === got[j - 1] ? diag + 1 : Math.max(prev[j]!, prev[j - 1]!);
      diag = above;
    }
  }
  return prev[got.length]! / expected.length;
}

function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

export interface OcrBenchResults {
  startMs: number[];
  images: {
    name: string;
    width: number;
    height: number;
    engineMs: number[];
    wallMs: number[];
    words: number;
    accuracy: number;
    confidence: number;
  }[];
  throughput: { threads: number; pages: number; wallMs: number; pagesPerMinute: number }[];
  rss: { threads: number; mib: number }[];
}

export async function runOcrBench(options: {
  runs: number;
  pages: number;
  starts: number;
}): Promise<OcrBenchResults> {
  const browser = await launchChromium();
  const sheet = sheetLines();
  const images = {
    question: await renderText(browser, QUESTION),
    sheet: await renderText(browser, sheet, { width: 1240, fontSize: 22, margin: 90 }),
  };
  await browser.close();
  const expected = { question: QUESTION, sheet };

  const rss: OcrBenchResults['rss'] = [{ threads: 0, mib: rssMiB() }];

  const startMs: number[] = [];
  for (let i = 0; i < options.starts; i++) {
    const t0 = performance.now();
    const thread = await TesseractThread.start({
      langPath: ENGLISH_LANG_PATH,
      logger,
      startTimeoutMs: 60_000,
    });
    startMs.push(performance.now() - t0);
    await thread.terminate();
  }

  const one = new OcrPool({ size: 1, logger });
  const results: OcrBenchResults['images'] = [];
  for (const name of ['question', 'sheet'] as const) {
    const engineMs: number[] = [];
    const wallMs: number[] = [];
    let last;
    await one.recognise(images[name]); // warm
    for (let i = 0; i < options.runs; i++) {
      const t0 = performance.now();
      last = await one.recognise(images[name]);
      wallMs.push(performance.now() - t0);
      engineMs.push(last.durationMs);
    }
    if (!last) throw new Error('no run');
    const words = expected[name].join(' ').split(' ');
    results.push({
      name,
      width: last.image.width,
      height: last.image.height,
      engineMs,
      wallMs,
      words: words.length,
      accuracy: wordAccuracy(
        words,
        last.words.map((w) => w.text),
      ),
      confidence: last.confidence,
    });
  }
  rss.push({ threads: 1, mib: rssMiB() });

  const throughput: OcrBenchResults['throughput'] = [];
  const two = new OcrPool({ size: 2, logger });
  await Promise.all([two.recognise(images.question), two.recognise(images.question)]); // start both
  rss.push({ threads: 3, mib: rssMiB() });
  for (const [threads, pool] of [
    [1, one],
    [2, two],
  ] as const) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: options.pages }, () => pool.recognise(images.sheet)));
    const wallMs = performance.now() - t0;
    throughput.push({
      threads,
      pages: options.pages,
      wallMs,
      pagesPerMinute: (options.pages / wallMs) * 60_000,
    });
  }
  await one.close();
  await two.close();
  return { startMs, images: results, throughput, rss };
}

export function formatOcrBench(r: OcrBenchResults): string {
  const out: string[] = [];
  out.push(`Thread start (engine + English data): median ${round(median(r.startMs))} ms`);
  out.push(
    table(
      [
        'image',
        'pixels',
        'engine ms (median)',
        'recognise() ms (median)',
        'words',
        'word accuracy',
        'mean conf.',
      ],
      r.images.map((i) => [
        i.name,
        `${i.width}×${i.height}`,
        round(median(i.engineMs)),
        round(median(i.wallMs)),
        i.words,
        `${round(i.accuracy * 100, 1)}%`,
        i.confidence,
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['pool threads', 'sheets at once', 'wall ms', 'sheets/min'],
      r.throughput.map((t) => [t.threads, t.pages, round(t.wallMs), round(t.pagesPerMinute, 1)]),
    ),
  );
  out.push('');
  out.push(
    'RSS: ' +
      r.rss.map((x) => `${x.threads} thread(s) ${round(x.mib)} MiB`).join(', ') +
      ' (threads started after one another; the first figure is before any)',
  );
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const machine = machineSummary();
    console.log(machine + '\n');
    const results = await runOcrBench({
      runs: numberOption('runs', 7),
      pages: numberOption('pages', 8),
      starts: numberOption('starts', 5),
    });
    console.log(formatOcrBench(results));
    const dir = path.join(REPO_ROOT, 'bench/.tmp');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `ocr-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ machine, ...results }, null, 2));
    console.log(`\nRaw figures: ${path.relative(REPO_ROOT, file)}`);
  });
}
