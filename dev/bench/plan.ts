import postgres from 'postgres';
import type { SearchQuery } from '../../functions/practitioners/routes.ts';
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

export interface PlanSummary {
  label: string;
  /** The route's statement and every statement run inside the functions it calls. */
  statements: number;
  executionMs: number;
  nodeTypes: Record<string, number>;
  indexes: string[];
  seqScans: string[];
  seqScanOnPractitioners: boolean;
  /** Why nested statements are missing, when auto_explain could not be loaded. */
  note?: string;
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** Node types, indexes and sequential scans across every plan. */
export function summarisePlans(label: string, statements: ExplainedStatement[], executionMs: number): PlanSummary {
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
  };
}

/** auto_explain writes `duration: … ms  plan:` then the JSON of the plan. */
function planOfNotice(message: string): ExplainedStatement | undefined {
  const start = message.indexOf('{');
  if (!message.includes('plan:') || start < 0) return undefined;
  return JSON.parse(message.slice(start)) as ExplainedStatement;
}

/**
 * EXPLAIN (ANALYZE, FORMAT JSON) of the exact statement the search route sends, run as `anon`
 * as the route does. The search itself runs in SQL functions whose statements a plain EXPLAIN
 * hides, so auto_explain reports those nested plans too where it can be loaded (superuser).
 * Rolled back: explaining changes nothing.
 */
export async function explainSearch(databaseUrl: string, label: string, query: SearchQuery): Promise<PlanSummary> {
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
    const statement = sent.find((s) => s.text.includes('public.search_practitioners('));
    if (!statement) throw new Error('The search route sent no call of public.search_practitioners.');

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
      const [row] = await tx.unsafe(`explain (analyze, format json) ${statement.text}`, statement.parameters as never[]);
      top = (row['QUERY PLAN'] as ExplainedStatement[])[0];
      throw rollback;
    }).catch((e) => {
      if (e !== rollback) throw e;
    });
    // auto_explain also reports the explained statement itself: keep only the nested ones.
    const nested = notices.map(planOfNotice).filter((p): p is ExplainedStatement =>
      p !== undefined && !/^\s*explain\b/i.test(p['Query Text'] ?? '')
    );
    return { ...summarisePlans(label, [top!, ...nested], top!['Execution Time'] ?? 0), note };
  } finally {
    await sql.end();
  }
}

export function formatPlan(summary: PlanSummary): string {
  const nodes = Object.entries(summary.nodeTypes).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} x${n}`);
  return [
    `${summary.label}: ${summary.executionMs.toFixed(1)} ms, ${summary.statements} statement(s) planned`,
    `  nodes:   ${nodes.join(', ')}`,
    `  indexes: ${summary.indexes.join(', ') || 'none'}`,
    `  seq scans: ${summary.seqScans.join(', ') || 'none'}; Seq Scan on practitioners: ${summary.seqScanOnPractitioners ? 'YES' : 'no'}`,
    ...(summary.note ? [`  ${summary.note}`] : []),
  ].join('\n');
}
