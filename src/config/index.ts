/**
 * config/: YAML files -> ResolvedConfig (extends chains, profiles, --set, schema defaults and
 * checks). The public face for the planner and the CLI. No tfjs here; the disk is read only
 * through read.ts.
 */
import { ConfigError } from '../errors.ts';
import type { ResolvedConfig } from './types.ts';
import { resolveConfigWithSources, type ConfigOptions } from './resolve.ts';
import { readTextFile, type ReadText } from './read.ts';
import { formatPath, type Path } from './paths.ts';

export type * from './types.ts';
export { resolveConfigWithSources, displayPath, type ConfigOptions, type Resolution } from './resolve.ts';
export { configToYaml } from './to-yaml.ts';
export { CONFIG_SCHEMA, fillDefaults, type JsonSchema } from './schema.ts';
export { RULES, type Rule } from './rules.ts';
export { renderConfigReference } from './reference.ts';
export type { ReadText } from './read.ts';

/** The resolved config of `file`; throws ConfigError with every error line. */
export function loadConfig(file: string, opts: ConfigOptions = {}, read: ReadText = readTextFile): ResolvedConfig {
  const { config, errors } = resolveConfigWithSources(file, opts, read);
  if (config === null) throw new ConfigError(errors);
  return config;
}

/** A check config/ cannot make itself (e.g. metric names, which live downstream): problems at key paths. */
export type ConfigCheck = (config: ResolvedConfig) => { path: Path; message: string }[];

/**
 * Every error of `file` as lines (empty = valid). Without a profile, once the config itself is
 * valid, it is also checked with each of its profiles; those lines are prefixed `--profile NAME: `.
 * `extra` runs on each resolved config; its problems are placed at file:line:col like schema errors.
 */
export function checkConfig(file: string, opts: ConfigOptions = {}, read: ReadText = readTextFile, extra?: ConfigCheck): string[] {
  const errorsOf = (o: ConfigOptions): { errors: string[]; profiles: string[] } => {
    const r = resolveConfigWithSources(file, o, read);
    if (r.config === null || extra === undefined) return r;
    return { errors: extra(r.config).map((i) => `${r.locate(i.path)}: ${formatPath(i.path)}: ${i.message}`), profiles: r.profiles };
  };
  const base = errorsOf(opts);
  if (opts.profile != null || base.errors.length > 0) return base.errors;
  return base.profiles.flatMap((name) => errorsOf({ ...opts, profile: name }).errors.map((l) => `--profile ${name}: ${l}`));
}
