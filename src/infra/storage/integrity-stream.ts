// A pass-through that counts and hashes what flows into a store, and fails at the end (before the
// store commits anything) when the body is not the length or SHA-256 the caller announced.
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
import { BlobIntegrityError } from './blob-store.ts';

export interface Expected {
  size?: number | undefined;
  sha256?: string | undefined;
}

export class IntegrityStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private digest: string | undefined;

  constructor(private readonly expected: Expected = {}) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected.size !== undefined && this.bytes > this.expected.size) {
      callback(
        new BlobIntegrityError(
          `The body is longer than the announced ${this.expected.size} bytes; nothing was stored.`,
        ),
      );
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    if (this.expected.size !== undefined && this.bytes !== this.expected.size) {
      callback(
        new BlobIntegrityError(
          `The body is ${this.bytes} bytes, not the announced ${this.expected.size}; nothing was stored.`,
        ),
      );
      return;
    }
    if (this.expected.sha256 !== undefined && this.digest !== this.expected.sha256.toLowerCase()) {
      callback(
        new BlobIntegrityError(
          'The body does not match the announced SHA-256; nothing was stored.',
        ),
      );
      return;
    }
    callback();
  }

  /** Bytes seen so far. (Not `size`: lib-storage reads `Body.size` as the body's length.) */
  get byteCount(): number {
    return this.bytes;
  }

  /** Available once the stream has ended. */
  get sha256(): string {
    if (this.digest === undefined) throw new Error('IntegrityStream read before it ended');
    return this.digest;
  }
}

/**
 * body piped through a new IntegrityStream; an error in body destroys the returned stream with
 * the same error, so whatever consumes it sees the failure.
 */
export function withIntegrity(
  body: Readable | Buffer,
  expected: Expected,
): { stream: Readable; integrity: IntegrityStream } {
  const integrity = new IntegrityStream(expected);
  const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
  pipeline(source, integrity, () => {
    // Errors reach the consumer through `integrity` itself; nothing else to do here.
  });
  return { stream: integrity, integrity };
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
