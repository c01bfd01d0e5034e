import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function registerValidate(program: Command): void {
  program.command('validate').description('check config files (placeholder until the config module lands)')
    .argument('<config...>').action(() => { throw new UsageError('sg3 validate: not implemented yet'); });
}
