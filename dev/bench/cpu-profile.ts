import { pathToFileURL } from 'node:url';

/** The parts of a V8 CPU profile (`.cpuprofile`) the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    /** Samples taken while this node was on top of the stack: its self time. */
    hitCount?: number;
    children?: number[];
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
  /**
   * Shares of the busy samples, largest self time first: `self` where the code itself ran,
   * `caused` adding the runtime work it called (WebCrypto under jose, socket writes under
   * postgres), which `self` leaves in `runtime`.
   */
  categories: { category: Category; self: number; caused: number }[];
  /** The functions with the most self time, as shares of the busy samples. */
  top: { name: string; category: Category; share: number }[];
}

/** Self time by category and the busiest functions; `root` is the repository's folder. */
export function summariseProfile(profile: CpuProfile, root: string, topCount = 8): ProfileSummary {
  const rootUrl = pathToFileURL(root).href.replace(/\/?$/, '/');
  const where = (url: string) => (url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<Category, number>();
  const caused = new Map<Category, number>();
  const byFunction = new Map<string, { category: Category; hits: number }>();
  const add = <K>(map: Map<K, number>, key: K, hits: number) =>
    map.set(key, (map.get(key) ?? 0) + hits);
  let idle = 0;
  let busy = 0;
  // From the root down, each runtime frame owned by its nearest caller that is not the runtime.
  const visit = (id: number, owner: { category: Category; name: string } | undefined) => {
    const node = nodes.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const category = categoryOf(url, rootUrl);
    const name = `${functionName || '(anonymous)'}${url ? ` ${where(url)}:${lineNumber + 1}` : ''}`;
    const own = category === 'runtime' ? owner : { category, name };
    const hits = node.hitCount ?? 0;
    if (functionName === '(idle)') idle += hits;
    else if (hits > 0) {
      busy += hits;
      add(self, category, hits);
      add(caused, own?.category ?? 'runtime', hits);
      const label = category === 'runtime' && own ? `${name} (from ${own.name})` : name;
      const entry = byFunction.get(label) ?? { category, hits: 0 };
      entry.hits += hits;
      byFunction.set(label, entry);
    }
    for (const child of node.children ?? []) visit(child, own);
  };
  const children = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  for (const n of profile.nodes) if (!children.has(n.id)) visit(n.id, undefined);

  const share = (hits: number) => (busy > 0 ? hits / busy : 0);
  return {
    durationMs: (profile.endTime - profile.startTime) / 1000,
    busy: busy + idle > 0 ? busy / (busy + idle) : 0,
    categories: CATEGORIES.filter((c) => self.has(c) || caused.has(c)).map((category) => ({
      category,
      self: share(self.get(category) ?? 0),
      caused: share(caused.get(category) ?? 0),
    })).sort((a, b) => b.self - a.self),
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
    `busy ${percent(summary.busy).trim()} of it. Share of the busy time by category:`,
    '     self  with the runtime work it calls',
    ...summary.categories.map((c) => `  ${percent(c.self)}  ${percent(c.caused)}  ${c.category}`),
    'Busiest functions (self time):',
    ...summary.top.map((f) => `  ${percent(f.share)}  ${f.category.padEnd(14)}  ${f.name}`),
  ].join('\n');
}
