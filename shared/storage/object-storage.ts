import { ApiError } from '../http/errors.ts';
import { log } from '../http/logger.ts';

/** Where uploaded files live: Supabase Storage when deployed, a local folder in development. */
export interface ObjectStorage {
  /** Stores `bytes` at `path` in `bucket` (never overwriting) and returns its public URL. */
  put(
    bucket: string,
    path: string,
    bytes: Uint8Array<ArrayBuffer>,
    contentType: string,
  ): Promise<string>;
  /** Deletes the objects; paths that do not exist are not an error. */
  remove(bucket: string, paths: string[]): Promise<void>;
}

// Keys are built by the server from ids and random names; anything else (`..`, empty segments,
// encoded characters) is a programming error that must never reach a disk path or a URL.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function assertObjectKey(bucket: string, path: string): void {
  const segments = [bucket, ...path.split('/')];
  if (!segments.every((s) => SEGMENT.test(s) && !s.includes('..'))) {
    throw new TypeError('Invalid storage object key');
  }
}

/** The address Supabase Storage (and the local dev gateway) serves a public object at. */
export const publicObjectUrl = (baseUrl: string, bucket: string, path: string) =>
  `${baseUrl}/storage/v1/object/public/${bucket}/${path}`;

/**
 * The one error a storage failure becomes. What the storage service or the file system said is
 * never passed on: it can name internal addresses and keys.
 */
export function storageUnavailable(
  operation: 'put' | 'remove',
  bucket: string,
  cause: { status?: number; error?: string },
): ApiError {
  log('error', 'storage_failed', { operation, bucket, ...cause });
  return new ApiError(
    503,
    'service_unavailable',
    'We could not save or remove your file right now. Please try again in a moment.',
  );
}
