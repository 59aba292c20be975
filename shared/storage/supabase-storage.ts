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
const CACHE_CONTROL = 'max-age=31536000';

/**
 * Supabase Storage over its REST API, with the service role key: the function has already
 * decided who may write what, as it does for every privileged write.
 */
export function supabaseStorage(options: SupabaseStorageOptions): ObjectStorage {
  const base = `${options.url.replace(/\/$/, '')}/storage/v1/object`;
  const auth = {
    authorization: `Bearer ${options.serviceRoleKey}`,
    apikey: options.serviceRoleKey,
  };
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function send(operation: 'put' | 'remove', bucket: string, url: string, init: RequestInit) {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw storageUnavailable(operation, bucket, { error: (e as Error)?.name });
    }
    // The body is read only to release the connection; its text is never passed on.
    await res.body?.cancel();
    if (!res.ok) throw storageUnavailable(operation, bucket, { status: res.status });
  }

  return {
    async put(bucket, path, bytes, contentType) {
      assertObjectKey(bucket, path);
      await send('put', bucket, `${base}/${bucket}/${path}`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': contentType,
          'cache-control': CACHE_CONTROL,
          'x-upsert': 'false',
        },
        body: bytes,
      });
      return publicObjectUrl(options.publicBaseUrl, bucket, path);
    },

    async remove(bucket, paths) {
      for (const path of paths) assertObjectKey(bucket, path);
      if (paths.length === 0) return;
      await send('remove', bucket, `${base}/${bucket}`, {
        method: 'DELETE',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ prefixes: paths }),
      });
    },
  };
}
