/**
 * `sg3` entry point: builds the commander program from one module per verb, runs it, and maps
 * errors to exit codes (2 config/usage, 1 run failure, 130/143 signals). Verbs hold no logic.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, exitCodeFor, isUserError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerValidate } from './validate.ts';
import { registerPlan } from './plan.ts';
import { registerDataset } from './dataset.ts';
import { registerGenerate } from './generate.ts';
import { registerRun } from './run.ts';
import { registerMetrics } from './metrics.ts';
import { registerSweep } from './sweep.ts';
import { registerTable } from './table.ts';

export function buildProgram(): Command {
  const program = new Command('sg3')
    .description('Declarative StyleGAN3 experiments: YAML configs in; plans, trained runs, metrics and the paper\'s tables out')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  registerValidate(program);
  registerPlan(program);
  registerDataset(program);
  registerGenerate(program);
  registerRun(program);
  registerMetrics(program);
  registerSweep(program);
  registerTable(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help text)
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (isUserError(e)) {
      const lines = e instanceof ConfigError ? e.lines : [e.message];
      for (const line of lines) process.stderr.write(`${line}\n`);
      return exitCodeFor(e);
    }
    process.stderr.write(`sg3: internal error (this is a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

