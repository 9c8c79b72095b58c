// Issue 3, storage target: a 100 MB upload streams through the server with RSS growth under 50 MB.
//
//   node --import tsx bench/blob-upload.ts [--mb=100] [--rounds=3] [--stores=local,s3]
//
// The server runs as `skillbridge serve` in its own process (local store in a temporary
// DATA_DIR, or STORAGE=s3 against the S3 server of scripts/s3-radosgw.sh when it answers). This
// process logs in, warms the upload path with a small file, then streams a generated PDF of --mb
// megabytes to POST /api/files as multipart/form-data without ever holding it in memory, while
// reading the server's VmRSS from /proc every 20 ms. Growth = the highest RSS seen during the
// upload minus the RSS just before it. The stored object's size and SHA-256 are checked against
// what was sent, so a truncated or buffered-and-dropped upload cannot pass.
import { createHash, randomBytes } from 'node:crypto';
import { TEST_S3_ENDPOINT, uniqueBucketName } from '../test/helpers/s3.ts';
import { isMain, listOption, numberOption, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { rssMiB } from './lib/proc.ts';
import { DEMO_PASSWORD, logIn, startApp, type AppServer } from './lib/servers.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGET_GROWTH_MB = 50;
const MB = 1e6;
const MiB_PER_MB = MB / 2 ** 20;
const BOUNDARY = '----skillbridge-bench-boundary';

type StoreKind = 'local' | 's3';

interface Round {
  store: StoreKind;
  baseRssMiB: number;
  peakRssMiB: number;
  growthMB: number;
  seconds: number;
  mbPerSecond: number;
}

const BLOCK = randomBytes(64 * 1024);

/** A PDF-looking body of `size` bytes: one random block repeated (the same on every call). */
function* pdfChunks(size: number): Generator<Buffer> {
  const header = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const block = BLOCK;
  yield header;
  let left = size - header.length;
  while (left > 0) {
    const n = Math.min(left, block.length);
    yield n === block.length ? block : block.subarray(0, n);
    left -= n;
  }
}

function sha256Of(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of pdfChunks(size)) hash.update(chunk);
  return hash.digest('hex');
}

function multipartStream(size: number): ReadableStream<Uint8Array> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n` +
      'Content-Type: application/pdf\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const chunks = pdfChunks(size);
  let state: 'head' | 'body' | 'done' = 'head';
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state === 'head') {
        controller.enqueue(head);
        state = 'body';
        return;
      }
      if (state === 'body') {
        const next = chunks.next();
        if (!next.done) {
          controller.enqueue(next.value);
          return;
        }
        controller.enqueue(tail);
        state = 'done';
      }
      controller.close();
    },
  });
}

async function csrf(url: string, cookie: string): Promise<{ token: string; cookie: string }> {
  const res = await fetch(`${url}/api/auth/csrf`, { headers: { cookie } });
  const { token } = (await res.json()) as { token: string };
  const set = res.headers.getSetCookie().find((c) => c.startsWith('_csrf='));
  const csrfCookie = set ? set.split(';')[0]! : '';
  return { token, cookie: [cookie, csrfCookie].filter(Boolean).join('; ') };
}

async function upload(url: string, cookie: string, size: number) {
  const { token, cookie: withCsrf } = await csrf(url, cookie);
  const res = await fetch(`${url}/api/files?purpose=pdf`, {
    method: 'POST',
    headers: {
      cookie: withCsrf,
      'x-csrf-token': token,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body: multipartStream(size),
    duplex: 'half', // Node's fetch needs it for a streamed body
  });
  const body = (await res.json()) as { file?: { id: string; size: number; sha256?: string } };
  if (res.status !== 201 || !body.file) {
    throw new Error(`POST /api/files: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.file;
}

async function downloadSha256(url: string, cookie: string, id: string): Promise<string> {
  const res = await fetch(`${url}/api/files/${id}/download`, { headers: { cookie } });
  if (res.status !== 200 || !res.body) throw new Error(`download: ${res.status}`);
  const hash = createHash('sha256');
  for await (const chunk of res.body) hash.update(chunk);
  return hash.digest('hex');
}

async function s3Answers(): Promise<boolean> {
  try {
    await fetch(TEST_S3_ENDPOINT, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function measure(server: AppServer, store: StoreKind, size: number, expected: string) {
  const cookie = await logIn(server.url);
  await upload(server.url, cookie, 256 * 1024); // warm the route, multipart and the store
  await new Promise((r) => setTimeout(r, 500));
  const pid = server.child.pid!;
  const baseRssMiB = rssMiB(pid);
  let peak = baseRssMiB;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 20);
  const started = performance.now();
  let file;
  try {
    file = await upload(server.url, cookie, size);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, rssMiB(pid));
  if (file.size !== size) throw new Error(`stored ${file.size} bytes, sent ${size}`);
  const stored = await downloadSha256(server.url, cookie, file.id);
  if (stored !== expected) throw new Error('the stored content differs from what was sent');
  return {
    store,
    baseRssMiB,
    peakRssMiB: peak,
    growthMB: (peak - baseRssMiB) / MiB_PER_MB,
    seconds,
    mbPerSecond: size / MB / seconds,
  } satisfies Round;
}

export async function runBlobUpload(options: { mb: number; rounds: number; stores: StoreKind[] }) {
  const size = Math.round(options.mb * MB);
  const expected = sha256Of(size);
  const stores = [...options.stores];
  if (stores.includes('s3') && !(await s3Answers())) {
    console.warn(`no S3 server at ${TEST_S3_ENDPOINT}: the s3 store is left out`);
    stores.splice(stores.indexOf('s3'), 1);
  }
  const rounds: Round[] = [];
  for (let i = 0; i < options.rounds; i++) {
    for (const store of stores) {
      const env: Record<string, string> = {
        UPLOAD_MAX_BYTES: String(size + MB),
        DEMO_PASSWORD,
      };
      if (store === 's3') {
        Object.assign(env, {
          STORAGE: 's3',
          S3_ENDPOINT: TEST_S3_ENDPOINT,
          S3_BUCKET: uniqueBucketName('sb-bench'),
          S3_ACCESS_KEY_ID: process.env.TEST_S3_ACCESS_KEY_ID ?? 'DEVACCESSKEY',
          S3_SECRET_ACCESS_KEY: process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'DEVSECRETKEY0123456789',
          S3_FORCE_PATH_STYLE: 'true',
        });
      }
      const server = await startApp({ logLevel: 'warn', env });
      try {
        const r = await measure(server, store, size, expected);
        rounds.push(r);
        console.log(
          `round ${i + 1} ${store}: RSS ${round(r.baseRssMiB)} → ${round(r.peakRssMiB)} MiB ` +
            `(+${round(r.growthMB)} MB), ${round(r.seconds, 2)} s, ${round(r.mbPerSecond)} MB/s`,
        );
      } finally {
        await server.close();
      }
    }
  }
  return { size, stores, rounds };
}

export function formatBlobUpload(results: Awaited<ReturnType<typeof runBlobUpload>>): string {
  const rows = results.stores.map((store) => {
    const mine = results.rounds.filter((r) => r.store === store);
    const growth = median(mine.map((r) => r.growthMB));
    return [
      store,
      `${round(median(mine.map((r) => r.baseRssMiB)))} MiB`,
      `${round(growth)} MB`,
      mine.map((r) => round(r.growthMB)).join(', '),
      `${round(median(mine.map((r) => r.mbPerSecond)))} MB/s`,
      growth < TARGET_GROWTH_MB ? 'pass' : 'FAIL',
    ];
  });
  return table(
    ['store', 'RSS before', 'median growth', 'rounds', 'throughput', `< ${TARGET_GROWTH_MB} MB`],
    rows,
  );
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    console.log(machineSummary());
    const results = await runBlobUpload({
      mb: numberOption('mb', 100),
      rounds: numberOption('rounds', 3),
      stores: listOption('stores', 'local,s3') as StoreKind[],
    });
    console.log(`\n${results.size / MB} MB upload, median of ${results.rounds.length} rounds\n`);
    console.log(formatBlobUpload(results));
  });
}
