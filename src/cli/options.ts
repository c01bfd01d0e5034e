/** Flags shared by every verb that reads a config: `--set key=value` (repeatable) and `--profile NAME`. */
import type { Command } from 'commander';
import type { BackendName } from '../config/index.ts';
import { schemaAt } from '../config/schema.ts';

export interface ConfigFlags {
  set?: string[];
  profile?: string;
}

/** commander collector: each `--set` appends, so the flag can repeat. */
export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addConfigOptions(command: Command): Command {
  return command
    .option('--set <key=value>', 'override a config key; the value is YAML (repeatable)', collectSet)
    .option('--profile <name>', 'apply a profile of the config (e.g. smoke, small)');
}

/** runtime.backend's values from the schema (backend/'s BACKEND_NAMES is the same list, but importing it loads tfjs). */
export const BACKEND_NAMES = schemaAt(['runtime', 'backend'])!.enum as BackendName[];
