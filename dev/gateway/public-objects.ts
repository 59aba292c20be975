import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { notFound } from '../../shared/http/errors.ts';
import { assertObjectKey } from '../../shared/storage/object-storage.ts';

const PREFIX = '/storage/v1/object/public/';

/** The part of the raw path after the prefix, one decoded segment per element. */
function objectKey(pathname: string): string[] | undefined {
  try {
    return pathname.slice(PREFIX.length).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function isValidKey(segments: string[]): boolean {
  if (segments.length < 2) return false;
  try {
    assertObjectKey(segments[0], segments.slice(1).join('/'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Serves `<root>/<bucket>/<path>` at Supabase Storage's public object address. Only keys the
 * storage adapter itself could have written are looked up, so `..` or an encoded `/` never
 * reaches the file system.
 */
export function servePublicObject(root: string | undefined) {
  return async (c: Context) => {
    const missing = notFound('This file does not exist.');
    const segments = objectKey(new URL(c.req.url).pathname);
    if (!root || !segments || !isValidKey(segments)) throw missing;
    const file = join(root, ...segments);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw missing;
    return new Response(await readFile(file), {
      headers: {
        'content-type': getMimeType(file) ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}
