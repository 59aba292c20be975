import { StorageClient, type StorageError, StorageUnknownError } from '@supabase/storage-js';
import {
  assertObjectKey,
  type ObjectStorage,
  publicObjectUrl,
  storageUnavailable,
} from './object-storage.ts';

export interface SupabaseStorageOptions {
  /** The project URL (`SUPABASE_URL`); the Storage API lives under `/storage/v1`. */
  url: string;
  serviceRoleKey: string;
  publicBaseUrl: string;
  timeoutMs?: number;
}

// Object names are random and never rewritten, so browsers and the CDN may keep them long.
const CACHE_SECONDS = '31536000';

/** What is logged of a failure: the status Storage answered, or why no answer came. */
const cause = (e: StorageError) =>
  e instanceof StorageUnknownError
    ? { error: (e.originalError as Error | undefined)?.name }
    : { status: e.status };

/**
 * Supabase Storage through its official client, with the service role key: the function has
 * already decided who may write what, as it does for every privileged write.
 */
export function supabaseStorage(options: SupabaseStorageOptions): ObjectStorage {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const key = options.serviceRoleKey;
  const client = new StorageClient(
    `${options.url.replace(/\/$/, '')}/storage/v1`,
    { authorization: `Bearer ${key}`, apikey: key },
    // A Storage that does not answer fails the upload instead of holding the request.
    (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  );

  return {
    async put(bucket, path, bytes, contentType) {
      assertObjectKey(bucket, path);
      const { error } = await client.from(bucket).upload(path, bytes, {
        contentType,
        cacheControl: CACHE_SECONDS,
        upsert: false,
      });
      if (error) throw storageUnavailable('put', bucket, cause(error));
      return publicObjectUrl(options.publicBaseUrl, bucket, path);
    },

    async remove(bucket, paths) {
      for (const path of paths) assertObjectKey(bucket, path);
      if (paths.length === 0) return;
      const { error } = await client.from(bucket).remove(paths);
      if (error) throw storageUnavailable('remove', bucket, cause(error));
    },
  };
}
