// Run by src/infra/ocr/ocr-offline.test.ts in a child process with the network blocked
// (test/helpers/block-network.cjs): recognise the PNG at argv[2] with the default pool, then
// try a pool pointed at the CDN tesseract.js would otherwise download from, and print both.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { OcrPool } from '../../src/infra/ocr/ocr-pool.ts';

const image = readFileSync(process.argv[2] ?? '');
const logger = pino({ level: 'silent' });

const offline = new OcrPool({ size: 1, logger });
const result = await offline.recognise(image);
await offline.close();
const logAfterOffline = readFileSync(process.env.BLOCK_NETWORK_LOG ?? '', 'utf8');

const online = new OcrPool({
  size: 1,
  logger,
  langPath: 'https://cdn.jsdelivr.net/npm/@tesseract.js-data/eng/4.0.0_best_int',
});
let onlineError = '';
try {
  await online.recognise(image);
} catch (err) {
  onlineError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
await online.close();

console.log(
  JSON.stringify({
    image: result.image,
    words: result.words.map((w) => w.text),
    logAfterOffline,
    onlineError,
  }),
);
