import postgres from 'postgres';
import type { SearchQuery } from '../../functions/practitioners/schemas.ts';
import { searchPractitioners } from '../../functions/practitioners/queries.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Total Time'?: number;
  Plans?: PlanNode[];
}

interface ExplainedStatement {
  'Query Text'?: string;
  Plan: PlanNode;
  'Execution Time'?: number;
}

/** A nested statement's plan and its duration, as auto_explain reports them. */
interface TimedStatement {
  ms: number;
  plan: ExplainedStatement;
  /** The SQL function whose body holds the statement, when there is one. */
  inFunction?: string;
}

export interface PlanSummary {
  label: string;
  /** The route's statement and every statement run inside the functions it calls. */
  statements: number;
  executionMs: number;
  nodeTypes: Record<string, number>;
  indexes: string[];
  seqScans: string[];
  seqScanOnPractitioners: boolean;
  /** The nested statements that took longest, inclusive of what they call. */
  slowest: Array<{ ms: number; statement: string }>;
  /** Why nested statements are missing, when auto_explain could not be loaded. */
  note?: string;
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** Node types, indexes and sequential scans across every plan. */
export function summarisePlans(
  label: string,
  statements: ExplainedStatement[],
  executionMs: number,
  timed: TimedStatement[] = [],
): PlanSummary {
  const nodeTypes: Record<string, number> = {};
  const indexes = new Set<string>();
  const seqScans = new Set<string>();
  for (const statement of statements) {
    walk(statement.Plan, (n) => {
      nodeTypes[n['Node Type']] = (nodeTypes[n['Node Type']] ?? 0) + 1;
      if (n['Index Name']) indexes.add(n['Index Name']);
      if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) seqScans.add(n['Relation Name']);
    });
  }
  return {
    label,
    statements: statements.length,
    executionMs,
    nodeTypes,
    indexes: [...indexes].sort(),
    seqScans: [...seqScans].sort(),
    seqScanOnPractitioners: seqScans.has('practitioners'),
    slowest: [...timed].sort((a, b) => b.ms - a.ms).slice(0, 3).map((t) => ({
      ms: t.ms,
      statement: t.inFunction ??
        (t.plan['Query Text'] ?? '').replace(/\s+/g, ' ').trim().slice(0, 90),
    })),
  };
}

/** auto_explain writes `duration: … ms  plan:` then the JSON of the plan. */
function planOfNotice(message: string): TimedStatement | undefined {
  const duration = /^duration: ([\d.]+) ms\s+plan:/.exec(message);
  const start = message.indexOf('{');
  if (!duration || start < 0) return undefined;
  return { ms: Number(duration[1]), plan: JSON.parse(message.slice(start)) as ExplainedStatement };
}

/** Names a nested statement by its function; statements built at run time have none. */
async function functionHolding(sql: postgres.Sql, text: string | undefined) {
  if (!text?.trim()) return undefined;
  const [row] = await sql<{ name: string }[]>`
    select p.oid::regprocedure::text as name from pg_proc p
    where position(btrim(${text}) in p.prosrc) > 0 limit 1`;
  return row?.name;
}

/**
 * EXPLAIN (ANALYZE, FORMAT JSON) of the exact statement the search route sends, run as `anon`
 * as the route does. The search itself runs in SQL functions whose statements a plain EXPLAIN
 * hides, so auto_explain reports those nested plans too where it can be loaded (superuser).
 * Rolled back: explaining changes nothing.
 */
export async function explainSearch(
  databaseUrl: string,
  label: string,
  query: SearchQuery,
): Promise<PlanSummary> {
  const sent: Array<{ text: string; parameters: unknown[] }> = [];
  const notices: string[] = [];
  const sql = postgres(databaseUrl, {
    max: 1,
    prepare: false,
    onnotice: (n) => notices.push(String(n.message)),
    debug: (_connection, text, parameters) => sent.push({ text, parameters }),
  });
  const asAnon = (tx: postgres.TransactionSql) => tx`select set_config('role', 'anon', true)`;
  const rollback = new Error('rollback');
  try {
    await sql.begin(async (tx) => {
      await asAnon(tx);
      await searchPractitioners(tx, query);
    });
    const statement = sent.find((s) => s.text.includes('app.search_practitioners('));
    if (!statement) {
      throw new Error('The search route sent no call of app.search_practitioners.');
    }

    let note: string | undefined;
    let top: ExplainedStatement | undefined;
    await sql.begin(async (tx) => {
      try {
        await tx.savepoint(async (sp) => {
          await sp`load 'auto_explain'`;
          await sp`select set_config('auto_explain.log_min_duration', '0', true),
                          set_config('auto_explain.log_analyze', 'on', true),
                          set_config('auto_explain.log_format', 'json', true),
                          set_config('auto_explain.log_nested_statements', 'on', true),
                          set_config('auto_explain.log_level', 'notice', true)`;
        });
      } catch (e) {
        note = `nested statements not shown: auto_explain unavailable (${(e as Error).message})`;
      }
      await asAnon(tx);
      notices.length = 0;
      const [row] = await tx.unsafe(
        `explain (analyze, format json) ${statement.text}`,
        statement.parameters as never[],
      );
      top = (row['QUERY PLAN'] as ExplainedStatement[])[0];
      throw rollback;
    }).catch((e) => {
      if (e !== rollback) throw e;
    });
    // auto_explain also reports the explained statement itself: keep only the nested ones.
    const nested = notices.map(planOfNotice).filter((t): t is TimedStatement =>
      t !== undefined && !/^\s*explain\b/i.test(t.plan['Query Text'] ?? '')
    );
    for (const t of nested) t.inFunction = await functionHolding(sql, t.plan['Query Text']);
    const plans = [top!, ...nested.map((t) => t.plan)];
    return { ...summarisePlans(label, plans, top!['Execution Time'] ?? 0, nested), note };
  } finally {
    await sql.end();
  }
}

export function formatPlan(summary: PlanSummary): string {
  const nodes = Object.entries(summary.nodeTypes).sort((a, b) => b[1] - a[1]).map(([t, n]) =>
    `${t} x${n}`
  );
  return [
    `${summary.label}: ${
      summary.executionMs.toFixed(1)
    } ms, ${summary.statements} statement(s) planned`,
    `  nodes:   ${nodes.join(', ')}`,
    `  indexes: ${summary.indexes.join(', ') || 'none'}`,
    `  seq scans: ${summary.seqScans.join(', ') || 'none'}; Seq Scan on practitioners: ${
      summary.seqScanOnPractitioners ? 'YES' : 'no'
    }`,
    ...summary.slowest.map((s) => `  slowest nested: ${s.ms.toFixed(1)} ms  ${s.statement}`),
    ...(summary.note ? [`  ${summary.note}`] : []),
  ].join('\n');
}
