import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function registerPlan(program: Command): void {
  program.command('plan').description('print the layer schedule (placeholder until the planner lands)')
    .argument('<config>').action(() => { throw new UsageError('sg3 plan: not implemented yet'); });
}
