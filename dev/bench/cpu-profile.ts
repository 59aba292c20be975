import { pathToFileURL } from 'node:url';

/** The parts of a V8 CPU profile (`.cpuprofile`) the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    /** Samples taken while this node was on top of the stack: its self time. */
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
}

export const CATEGORIES = [
  'our code',
  'hono',
  'zod',
  'jose',
  'postgres',
  'other packages',
  'runtime',
] as const;
export type Category = (typeof CATEGORIES)[number];

const PACKAGES: Record<string, Category> = {
  hono: 'hono',
  '@hono/zod-openapi': 'hono',
  '@hono/swagger-ui': 'hono',
  zod: 'zod',
  // The OpenAPI side of @hono/zod-openapi's schemas.
  '@asteasolutions/zod-to-openapi': 'zod',
  jose: 'jose',
  postgres: 'postgres',
};

/**
 * Whose code a frame runs, by its script URL: a package under node_modules, the repository's own
 * modules, or else the runtime (Deno's `ext:` and `node:` modules, V8's GC and program frames).
 */
export function categoryOf(url: string, rootUrl: string): Category {
  const marker = '/node_modules/';
  const at = url.lastIndexOf(marker);
  if (at >= 0) {
    const parts = url.slice(at + marker.length).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    return PACKAGES[name] ?? 'other packages';
  }
  return url.startsWith(rootUrl) ? 'our code' : 'runtime';
}

export interface ProfileSummary {
  /** Milliseconds between the profile's start and end. */
  durationMs: number;
  /** Share of the samples in which the thread was busy (not idle). */
  busy: number;
  /** Shares of the busy samples, largest first. */
  categories: { category: Category; share: number }[];
  /** The functions with the most self time, as shares of the busy samples. */
  top: { name: string; category: Category; share: number }[];
}

/** Self time by category and the busiest functions; `root` is the repository's folder. */
export function summariseProfile(profile: CpuProfile, root: string, topCount = 8): ProfileSummary {
  const rootUrl = pathToFileURL(root).href.replace(/\/?$/, '/');
  const byCategory = new Map<Category, number>();
  const byFunction = new Map<string, { category: Category; hits: number }>();
  let idle = 0;
  let busy = 0;
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    if (hitCount === 0) continue;
    if (callFrame.functionName === '(idle)') {
      idle += hitCount;
      continue;
    }
    busy += hitCount;
    const category = categoryOf(callFrame.url, rootUrl);
    byCategory.set(category, (byCategory.get(category) ?? 0) + hitCount);
    const where = callFrame.url.startsWith(rootUrl)
      ? callFrame.url.slice(rootUrl.length)
      : callFrame.url;
    const name = `${callFrame.functionName || '(anonymous)'}${
      where ? ` ${where}:${callFrame.lineNumber + 1}` : ''
    }`;
    const entry = byFunction.get(name) ?? { category, hits: 0 };
    entry.hits += hitCount;
    byFunction.set(name, entry);
  }
  const share = (hits: number) => (busy > 0 ? hits / busy : 0);
  return {
    durationMs: (profile.endTime - profile.startTime) / 1000,
    busy: busy + idle > 0 ? busy / (busy + idle) : 0,
    categories: [...byCategory].map(([category, hits]) => ({ category, share: share(hits) }))
      .sort((a, b) => b.share - a.share),
    top: [...byFunction].map(([name, { category, hits }]) => ({
      name,
      category,
      share: share(hits),
    })).sort((a, b) => b.share - a.share).slice(0, topCount),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;

export function formatProfile(route: string, summary: ProfileSummary): string {
  return [
    `CPU profile of the gateway under ${route}: ${(summary.durationMs / 1000).toFixed(1)} s, ` +
    `busy ${percent(summary.busy).trim()} of it. Self time by category:`,
    ...summary.categories.map((c) => `  ${percent(c.share)}  ${c.category}`),
    'Busiest functions (self time):',
    ...summary.top.map((f) => `  ${percent(f.share)}  ${f.category.padEnd(14)}  ${f.name}`),
  ].join('\n');
}
