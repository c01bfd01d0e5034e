/**
 * `sg3 validate <config>... [--set k=v]... [--profile p] [--print]`: check config files and print
 * `ok <file>` for each, or every error line (exit 2). Without --profile each profile is checked too.
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { checkConfig, configToYaml, loadConfig } from '../config/index.ts';
import { metricsConfigIssues } from '../metrics/names.ts';
import { addConfigOptions, type ConfigFlags } from './options.ts';

interface ValidateFlags extends ConfigFlags { print?: boolean }

export function registerValidate(program: Command): void {
  const command = program.command('validate')
    .description('check config files (syntax, extends, schema, profiles, cross-field rules)')
    .argument('<config...>', 'YAML config files');
  addConfigOptions(command)
    .option('--print', 'print the resolved config as YAML instead of "ok <file>"')
    .addHelpText('after', [
      '',
      'Without --profile, each profile of the config is checked too (once the config',
      'itself is valid). Errors go to stderr, one line each; the exit code is then 2.',
      '',
      'Examples:',
      '  sg3 validate configs/*.yaml',
      '  sg3 validate configs/stylegan3-r.yaml --profile smoke --print',
      '  sg3 validate configs/stylegan3-t.yaml --set train.batch=64 --set loss.r1_gamma=2',
    ].join('\n'))
    .action((files: string[], flags: ValidateFlags) => runValidate(files, flags));
}

function runValidate(files: string[], flags: ValidateFlags): void {
  const opts = { set: flags.set ?? [], profile: flags.profile ?? null };
  const errors: string[] = [];
  for (const file of files) {
    // metrics.names against the metric names (config/ cannot import metrics/), placed like schema errors
    const lines = checkConfig(file, opts, undefined, (config) => metricsConfigIssues(config.metrics));
    if (lines.length > 0) { errors.push(...lines); continue; }
    if (!flags.print) { process.stdout.write(`ok ${file}\n`); continue; }
    // Several files make one YAML stream, one document per file.
    const header = files.length > 1 ? `--- # ${file}\n` : '';
    process.stdout.write(header + configToYaml(loadConfig(file, opts)));
  }
  if (errors.length > 0) throw new ConfigError(errors);
}

