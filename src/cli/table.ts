/**
 * `sg3 table <experiment> [--format md|csv|latex] [--out FILE] [--runs-dir DIR] [--profile p]`:
 * the paper's table with our values beside it, from the sweep's finished runs, plus a PNG chart.
 */
import type { Command } from 'commander';
import { displayPath } from '../config/index.ts';
import { UsageError } from '../errors.ts';
import { makeTable, TABLE_FORMATS, type TableFormat } from '../report/index.ts';

interface TableFlags { format?: string; out?: string; runsDir?: string; profile?: string }

export function registerTable(program: Command): void {
  program.command('table')
    .description('print the paper\'s table with our values beside it (mean ± std over seeds, delta, Spearman rho) and write a PNG chart')
    .argument('<experiment>', 'experiment YAML file (experiments/*.yaml), after sg3 sweep')
    .option('--format <format>', `table format: ${TABLE_FORMATS.join(', ')} (default md)`)
    .option('--out <file>', 'write the table to this file (the chart goes beside it as <file>.png)')
    .option('--runs-dir <dir>', 'parent of the sweep directory, as given to sg3 sweep (default runs)')
    .option('--profile <name>', 'the profile the sweep ran with (its runs are in <name>-<profile>/)')
    .addHelpText('after', [
      '',
      'Missing values (no finished run, no metric, no paper value) print as a dash, never as 0.',
      'Without --out the chart is written to runs/<sweep>[-<profile>]/table.png.',
      '',
      'Examples:',
      '  sg3 table experiments/fig3-left.yaml --profile smoke',
      '  sg3 table experiments/fig3-right.yaml --format latex --out paper/fig3-right.tex',
    ].join('\n'))
    .action((file: string, flags: TableFlags) => {
      const format = (flags.format ?? 'md') as TableFormat;
      if (!TABLE_FORMATS.includes(format)) throw new UsageError(`sg3 table: --format: must be one of ${TABLE_FORMATS.join(', ')} (got ${JSON.stringify(flags.format)})`);
      const result = makeTable({ experiment: file, profile: flags.profile ?? null, runsDir: flags.runsDir ?? null, format, out: flags.out ?? null });
      if (result.outFile === null) process.stdout.write(result.text);
      else process.stderr.write(`table: ${displayPath(result.outFile)}\n`);
      process.stderr.write(result.chart ? `chart: ${displayPath(result.chart)}\n` : 'chart: not written (no results yet)\n');
    });
}
