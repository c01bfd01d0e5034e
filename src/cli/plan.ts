/**
 * `sg3 plan <config> [--set k=v]... [--profile p] [--json]`: load a config, plan it, and print the
 * layer schedule, the discriminator and the cost as tables, or the whole Plan as JSON.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/index.ts';
import { ConfigError } from '../errors.ts';
import { formatPlan, planExperiment, planProblems, planToJson } from '../plan/index.ts';
import { addConfigOptions, type ConfigFlags } from './options.ts';

interface PlanFlags extends ConfigFlags { json?: boolean }

export function registerPlan(program: Command): void {
  const command = program.command('plan')
    .description('print the planned network: layer schedule (sampling rates, cutoffs, filters), discriminator, parameters and FLOPs')
    .argument('<config>', 'YAML config file');
  addConfigOptions(command)
    .option('--json', 'print the full Plan as JSON (what nets/ and train/ consume)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  sg3 plan configs/stylegan3-t.yaml',
      '  sg3 plan configs/stylegan3-r.yaml --set data.resolution=64 --json',
      '  sg3 plan configs/stylegan2.yaml --profile smoke',
    ].join('\n'))
    .action((file: string, flags: PlanFlags) => runPlan(file, flags));
}

function runPlan(file: string, flags: PlanFlags): void {
  const cfg = loadConfig(file, { set: flags.set ?? [], profile: flags.profile ?? null });
  // Cross-key problems only the planner knows, reported against the file like the config's own errors.
  const problems = planProblems(cfg);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${file}: ${p}`));
  const plan = planExperiment(cfg);
  process.stdout.write(flags.json ? planToJson(plan) : formatPlan(plan));
}
