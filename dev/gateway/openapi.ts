import { isDeepStrictEqual } from 'node:util';
import type { FunctionApp } from './function-apps.ts';

interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown>>;
  tags?: Array<{ name: string }>;
}

/**
 * One document for every function, with paths as clients call them
 * (`/functions/v1/<group>/...`). Each app describes itself at `/<group>/openapi.json`. Components
 * share one namespace: two groups may declare the same one alike (a schema of shared/schemas/),
 * but one name declared differently would leave one group documented with the other's schema,
 * so it is refused, naming both groups.
 */
export async function mergedOpenApi(apps: Map<string, FunctionApp>): Promise<OpenApiDocument> {
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Dokal API',
      version: '1.0.0',
      description: 'Every function also answers at `/api/v1/<group>/...` on the local gateway.',
    },
    paths: {},
    components: {},
  };
  const declaredBy = new Map<string, string>();
  for (const [group, app] of apps) {
    const response = await app.fetch(new Request(`http://gateway/${group}/openapi.json`));
    if (!response.ok) {
      throw new Error(`The ${group} function did not describe itself (${response.status}).`);
    }
    const doc: OpenApiDocument = await response.json();
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      merged.paths![`/functions/v1${path}`] = item;
    }
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      const into = (merged.components![kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        const key = `components/${kind}/${name}`;
        if (!Object.hasOwn(into, name)) {
          into[name] = value;
          declaredBy.set(key, group);
        } else if (!isDeepStrictEqual(into[name], value)) {
          throw new Error(
            `The ${
              declaredBy.get(key)
            } and ${group} groups declare different ${key}: rename one, ` +
              'or share one schema from shared/schemas/.',
          );
        }
      }
    }
  }
  return merged;
}
