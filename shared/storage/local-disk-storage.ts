import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  assertObjectKey,
  type ObjectStorage,
  publicObjectUrl,
  storageUnavailable,
} from './object-storage.ts';

const errorCode = (e: unknown) => (e as { code?: string })?.code ?? (e as Error)?.name;

/**
 * Development storage: `<root>/<bucket>/<path>` on disk, served by the local gateway at the same
 * public URL Supabase Storage uses.
 */
export function localDiskStorage(root: string, publicBaseUrl: string): ObjectStorage {
  return {
    async put(bucket, path, bytes) {
      assertObjectKey(bucket, path);
      const file = join(root, bucket, ...path.split('/'));
      try {
        await mkdir(dirname(file), { recursive: true });
        // `wx`: like `x-upsert: false` on Supabase, an existing object is never replaced.
        await writeFile(file, bytes, { flag: 'wx' });
      } catch (e) {
        throw storageUnavailable('put', bucket, { error: errorCode(e) });
      }
      return publicObjectUrl(publicBaseUrl, bucket, path);
    },

    async remove(bucket, paths) {
      for (const path of paths) assertObjectKey(bucket, path);
      try {
        await Promise.all(
          paths.map((path) => rm(join(root, bucket, ...path.split('/')), { force: true })),
        );
      } catch (e) {
        throw storageUnavailable('remove', bucket, { error: errorCode(e) });
      }
    },
  };
}
