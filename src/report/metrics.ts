/**
 * A run's final metric values from its `metrics.jsonl`, read defensively: the official line shape
 * `{metric, results: {<name>: value}, ...}` and the flat `{"Metrics/<name>": value, kimg}` shape
 * both count; unparsable lines and non-numbers are skipped; the last value of each name wins (the
 * evaluation at the end of training).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The paper's three columns. */
export type Quantity = 'fid' | 'eqt' | 'eqr';
export const QUANTITIES: readonly Quantity[] = ['fid', 'eqt', 'eqr'];
export const QUANTITY_LABEL: Record<Quantity, string> = { fid: 'FID', eqt: 'EQ-T', eqr: 'EQ-R' };

/**
 * Which paper column a metric name fills: the official names (`fid50k_full`, `eqt50k_int`,
 * `eqr50k`) and their `<family>@N` variants (`fid_full@1000`, `eqt_int@16`, `eqr@16`). EQ-T in
 * the paper is the integer-translation metric; `eqt50k_frac` fills no paper column.
 */
export function quantityOf(metric: string): Quantity | null {
  if (/^fid\d+k_full$|^fid_full@\d+$/.test(metric)) return 'fid';
  if (/^eqt\d+k_int$|^eqt_int@\d+$/.test(metric)) return 'eqt';
  if (/^eqr\d+k$|^eqr@\d+$/.test(metric)) return 'eqr';
  return null;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** metric name -> its last finite value in `<runDir>/metrics.jsonl`; empty when there is none. */
export function readRunMetrics(runDir: string): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let rec: unknown;
    try { rec = JSON.parse(line); } catch { continue; }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) continue;
    const r = rec as Record<string, unknown>;
    if (r.results !== null && typeof r.results === 'object' && !Array.isArray(r.results)) {
      for (const [name, value] of Object.entries(r.results as Record<string, unknown>)) if (isNumber(value)) out.set(name, value);
    }
    if (typeof r.metric === 'string' && isNumber(r.value)) out.set(r.metric, r.value);
    for (const [key, value] of Object.entries(r)) {
      if (key.startsWith('Metrics/') && isNumber(value)) out.set(key.slice('Metrics/'.length), value);
    }
  }
  return out;
}
