/**
 * Training progress: on a TTY, one self-rewriting line (bar, kimg, images/s, ETA, last losses);
 * otherwise (a file, CI, a cluster log) a structured pino line per update, so nothing is lost
 * to carriage returns. The ETA assumes the current images/s holds for the remaining kimg.
 */
import type { Logger } from 'pino';

export interface ProgressOptions {
  total_kimg: number;
  isTTY: boolean;
  logger: Logger;
  stream?: { write(text: string): unknown };   // TTY output; default process.stderr
  barWidth?: number;                             // default 24 cells
}

export interface ProgressUpdate {
  kimg: number;
  images_per_s: number;
  losses?: Record<string, number>;
}

export interface Progress {
  update(u: ProgressUpdate): void;
  done(): void;
}

/** Seconds as `1h02m`, `8m26s`, `42s`; `?` when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function etaSeconds(kimg: number, totalKimg: number, imagesPerS: number): number | null {
  if (!(imagesPerS > 0)) return null;
  return Math.max(0, totalKimg - kimg) * 1000 / imagesPerS;
}

function formatLosses(losses: Record<string, number> | undefined): string {
  if (!losses) return '';
  return Object.entries(losses).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(3) : String(v)}`).join('  ');
}

/** The TTY line, without the leading `\r` (exported for tests). */
export function formatProgressLine(u: ProgressUpdate, totalKimg: number, barWidth = 24): string {
  const frac = totalKimg > 0 ? Math.min(1, Math.max(0, u.kimg / totalKimg)) : 0;
  const filled = Math.round(frac * barWidth);
  const bar = '#'.repeat(filled) + '-'.repeat(barWidth - filled);
  const parts = [
    `${(frac * 100).toFixed(1).padStart(5)}% [${bar}]`,
    `${u.kimg.toFixed(1)}/${totalKimg} kimg`,
    `${u.images_per_s.toFixed(1)} img/s`,
    `ETA ${formatDuration(etaSeconds(u.kimg, totalKimg, u.images_per_s))}`,
  ];
  const losses = formatLosses(u.losses);
  if (losses) parts.push(losses);
  return parts.join('  ');
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  let last: ProgressUpdate | null = null;
  let lineOpen = false;
  return {
    update(u) {
      last = u;
      if (options.isTTY) {
        // \x1b[K clears what a longer previous line left behind.
        stream.write(`\r${formatProgressLine(u, options.total_kimg, options.barWidth)}\x1b[K`);
        lineOpen = true;
      } else {
        const eta_s = etaSeconds(u.kimg, options.total_kimg, u.images_per_s);
        options.logger.info({ kimg: u.kimg, total_kimg: options.total_kimg, images_per_s: u.images_per_s, eta_s, losses: u.losses }, 'progress');
      }
    },
    done() {
      if (lineOpen) stream.write('\n');
      lineOpen = false;
      options.logger.info({ kimg: last?.kimg ?? 0, total_kimg: options.total_kimg }, 'training done');
    },
  };
}
