import { config } from '../config.ts';
import { localDiskStorage } from './local-disk-storage.ts';
import type { ObjectStorage } from './object-storage.ts';
import { supabaseStorage } from './supabase-storage.ts';

let current: ObjectStorage | undefined;

/** `LOCAL_STORAGE_DIR` selects the local disk; otherwise Supabase Storage with the service key. */
export function configuredStorage(): ObjectStorage {
  const c = config();
  current ??= c.localStorageDir
    ? localDiskStorage(c.localStorageDir, c.publicUrl)
    : supabaseStorage({
      url: c.supabaseUrl,
      serviceRoleKey: c.serviceRoleKey!,
      publicBaseUrl: c.publicUrl,
    });
  return current;
}
