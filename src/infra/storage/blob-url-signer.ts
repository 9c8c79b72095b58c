// Signed, expiring links to the authenticated /api/blobs route: what presignGet returns for
// stores without their own presigning (local files, the in-memory fake). HMAC-SHA-256 over the
// key, the expiry and the download name, with a key derived from the session secret; checked with
// a constant-time compare.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { assertValidBlobKey } from './blob-keys.ts';

export const BLOB_ROUTE_PREFIX = '/api/blobs/';

export interface SignedBlobQuery {
  expires: number;
  signature: string;
  name?: string | undefined;
}

export class BlobUrlSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    // A key of its own, so a blob signature can never stand in for a cookie signature.
    this.key = createHmac('sha256', secret).update('skillbridge/blob-url/v1').digest();
  }

  private mac(key: string, expires: number, name: string | undefined): Buffer {
    return createHmac('sha256', this.key)
      .update(`${key}\n${expires}\n${name ?? ''}`)
      .digest();
  }

  /** `/api/blobs/<key>?expires=<unix seconds>[&name=…]&signature=…` */
  sign(key: string, ttlSeconds: number, downloadName?: string): string {
    assertValidBlobKey(key);
    const expires = Math.floor(this.clock.now().getTime() / 1000) + Math.max(1, ttlSeconds);
    const query = new URLSearchParams({ expires: String(expires) });
    if (downloadName !== undefined) query.set('name', downloadName);
    query.set('signature', this.mac(key, expires, downloadName).toString('base64url'));
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${BLOB_ROUTE_PREFIX}${path}?${query.toString()}`;
  }

  /** Throws ForbiddenError unless the link was signed by us for this key and has not expired. */
  verify(key: string, query: SignedBlobQuery): void {
    assertValidBlobKey(key);
    const expected = this.mac(key, query.expires, query.name);
    const given = Buffer.from(query.signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ForbiddenError(
        'This download link is not valid (it was changed or is incomplete).',
        'BAD_SIGNATURE',
      );
    }
    if (query.expires * 1000 <= this.clock.now().getTime()) {
      throw new ForbiddenError(
        'This download link has expired; open the file again to get a new one.',
        'LINK_EXPIRED',
      );
    }
  }
}
