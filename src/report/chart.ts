/**
 * A PNG chart of ours vs the paper: one square scatter panel per paper quantity (FID, EQ-T, EQ-R),
 * x = the paper's value, y = ours (mean, with a ±std bar over seeds), the diagonal y = x in grey,
 * the axis range labelled at its ends, and Spearman's rho in the title. Drawn into an RGB pixel
 * buffer (HWC, 8-bit) with a 3x5 bitmap font and encoded with log/'s encodePng.
 */
import { encodePng } from '../log/index.ts';
import type { TableModel } from './table.ts';

type RGB = [number, number, number];
const WHITE: RGB = [255, 255, 255];
const BLACK: RGB = [0, 0, 0];
const GREY: RGB = [170, 170, 170];
const BLUE: RGB = [31, 90, 180];

// 3 columns x 5 rows per glyph, top row first; '1' = ink. Only the characters the chart writes.
const FONT: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111',
  '4': '101101111001001', '5': '111100111001111', '6': '111100111101111', '7': '111001001001001',
  '8': '111101111101111', '9': '111101111001111', '.': '000000000000010', '-': '000000111000000',
  '=': '000111000111000', ' ': '000000000000000', A: '010101111101101', D: '110101101101110',
  E: '111100110100111', F: '111100110100100', H: '101101111101101', I: '111010010010111',
  N: '111101101101101', O: '111101101101111', P: '111101111100100', Q: '111101101111011',
  R: '110101110101101', S: '111100111001111', T: '111010010010010', U: '101101101101111',
};

class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, c: RGB): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data.set(c, (y * this.width + x) * 3);
  }

  rect(x0: number, y0: number, w: number, h: number, c: RGB): void {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) this.set(x0 + x, y0 + y, c);
  }

  /** A line by sampling: fine for the few short segments of a chart. */
  line(x0: number, y0: number, x1: number, y1: number, c: RGB): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= n; i++) this.set(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, c);
  }

  text(x: number, y: number, s: string, c: RGB, scale = 2): void {
    for (const ch of s.toUpperCase()) {
      const glyph = FONT[ch] ?? FONT[' ']!;
      for (let i = 0; i < 15; i++) if (glyph[i] === '1') this.rect(x + (i % 3) * scale, y + Math.floor(i / 3) * scale, scale, scale, c);
      x += 4 * scale;
    }
  }
}

const PANEL = 260;
const MARGIN = { left: 14, right: 14, top: 34, bottom: 34 };

function tick(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

function drawPanel(cv: Canvas, x0: number, t: TableModel, col: number): void {
  const label = t.columns[col]!.label;
  const s = t.spearman[col]!;
  const pts = t.rows.map((r) => r.cells[col]!).filter((c) => c.paper !== null && c.mean !== null);
  cv.text(x0 + MARGIN.left, 4, `${label}  RHO ${s.rho === null ? '-' : s.rho.toFixed(2)}`, BLACK);
  const size = PANEL - MARGIN.left - MARGIN.right;
  const left = x0 + MARGIN.left;
  const top = MARGIN.top;
  const bottom = top + size;
  cv.line(left, top, left, bottom, BLACK);
  cv.line(left, bottom, left + size, bottom, BLACK);
  if (pts.length === 0) { cv.text(left + 60, top + size / 2, 'NO DATA', GREY); return; }
  const vals = pts.flatMap((p) => [p.paper!, p.mean! - (p.std ?? 0), p.mean! + (p.std ?? 0)]);
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  const pad = (hi - lo) * 0.08 || Math.max(1, Math.abs(hi) * 0.1);
  lo -= pad;
  hi += pad;
  const px = (v: number) => left + ((v - lo) / (hi - lo)) * size;
  const py = (v: number) => bottom - ((v - lo) / (hi - lo)) * size;
  cv.line(px(lo), py(lo), px(hi), py(hi), GREY);                 // y = x: ours equals the paper
  for (const p of pts) {
    if (p.std !== null) cv.line(px(p.paper!), py(p.mean! - p.std), px(p.paper!), py(p.mean! + p.std), BLUE);
    cv.rect(px(p.paper!) - 2, py(p.mean!) - 2, 5, 5, BLUE);
  }
  cv.text(left, bottom + 6, tick(lo), BLACK);
  cv.text(left + size - tick(hi).length * 8, bottom + 6, tick(hi), BLACK);
  cv.text(left + size / 2 - 20, bottom + 20, 'PAPER', BLACK);
  cv.text(left, top - 12, 'OURS', BLACK);
}

/** The chart as PNG bytes; null when no paper column exists. */
export function renderChart(t: TableModel): Uint8Array | null {
  const cols = t.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.quantity !== null);
  if (cols.length === 0) return null;
  const cv = new Canvas(PANEL * cols.length, PANEL + 40);
  cv.rect(0, 0, cv.width, cv.height, WHITE);
  cols.forEach(({ i }, k) => drawPanel(cv, k * PANEL, t, i));
  return encodePng(cv.data, cv.width, cv.height, 3);
}
