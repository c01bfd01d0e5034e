/**
 * DESIGN.md's one-way data flow (YAML -config/-> ResolvedConfig -plan/-> Plan -nets/-> G, D -train/->
 * run dir -> metrics/, sweep/, report/) and STYLE.md rule 1, checked on every import of src/**\/*.ts:
 * static `import ... from`, side-effect `import '...'`, `export ... from`, `import('...')` and
 * `require('...')`. A violation reads `src/a/b.ts imports src/c/d.ts (a -> c not allowed)`.
 *
 * A "module" is a top-level folder of src/ or a root file (errors.ts, version.ts, index.ts);
 * `schema` is the top-level schema/ folder (JSON imported by the modules that validate with it).
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from './_golden.ts';

const SRC = join(REPO_ROOT, 'src');

/**
 * Who may import whom (a module may always import itself). Foundations first, then the stages in
 * the order of the flow; anything not listed is not allowed.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // foundations: used by the stages, never importing one
  'errors.ts': [],
  'version.ts': [],
  io: ['errors.ts'],                                        // files, safetensors, the seeded Rng
  log: ['io', 'errors.ts'],
  // backend/ names the backend by the config's enum (config/types.ts BackendName): the design is
  // silent; a type-only import of the key it resolves is harmless (TYPES_ONLY_CONFIG below keeps it so).
  backend: ['config', 'io', 'log', 'errors.ts'],
  // stages
  config: ['schema', 'errors.ts'],
  plan: ['config', 'errors.ts'],
  ops: ['backend', 'io', 'log', 'errors.ts'],               // "must not know about configs" (nor the Plan)
  nets: ['plan', 'ops', 'backend', 'io', 'log', 'errors.ts'], // built from the Plan alone
  // data/ takes its typed section of the ResolvedConfig (DataConfig); backend/ is a foundation
  // (unused today), so tensors in the loader would not break the flow.
  data: ['config', 'backend', 'io', 'log', 'errors.ts'],
  metrics: ['plan', 'ops', 'nets', 'data', 'backend', 'io', 'log', 'errors.ts'],
  // train -> metrics: the design draws metrics/ after the run dir, but the loop evaluates metrics
  // during training (as the official training_loop calls metric_main); so metrics/ must never
  // import train/ (not in metrics' list above), which keeps the graph acyclic.
  train: ['config', 'plan', 'ops', 'nets', 'data', 'metrics', 'backend', 'io', 'log', 'errors.ts', 'version.ts'],
  // drivers: sweep/ runs `sg3 run` processes and never imports the tfjs stages
  sweep: ['config', 'plan', 'schema', 'io', 'log', 'errors.ts', 'version.ts'],
  report: ['sweep', 'config', 'plan', 'io', 'log', 'errors.ts', 'version.ts'],
  // the top: cli/ may call any module and nothing imports it; index.ts is the library's face
  cli: ['config', 'plan', 'ops', 'nets', 'train', 'data', 'metrics', 'sweep', 'report', 'backend', 'io', 'log', 'errors.ts', 'version.ts'],
  'index.ts': ['config', 'plan', 'ops', 'nets', 'train', 'data', 'metrics', 'sweep', 'report', 'backend', 'io', 'log', 'errors.ts', 'version.ts'],
};

/**
 * Modules that may import config/ only for its types (config/types.ts): the typed plain data is
 * the arrow's product; the loader (YAML, extends, --set) is for cli/, sweep/ and the library face.
 */
const TYPES_ONLY_CONFIG = new Set(['plan', 'backend', 'data', 'train']);
/** Exception: a run directory stores the resolved config as config.yaml and reads it back on resume
 *  (configToYaml / loadConfig; never the user's original YAML), and config/ owns that round trip. */
const CONFIG_LOADER_OK = new Set(['train/run/run-dir.ts']);

/** Packages only one place may import (prefix match on the specifier). */
const PACKAGE_OWNERS: [RegExp, readonly string[], string][] = [
  [/^@tensorflow\//, ['backend'], 'backend/tf.ts is the one place sg3 imports TensorFlow.js'],
  [/^commander(\/|$)/, ['cli'], 'cli/ is the only place that parses flags'],
  [/^pino(-pretty)?(\/|$)/, ['log'], 'log/ owns the logger'],
  // sweep/ reads experiment YAML (its own input format, through config/'s parser) and, tolerantly
  // and unvalidated, an old run's config.yaml to describe what changed; config/ would reject a
  // config written by an older schema.
  [/^yaml(\/|$)/, ['config', 'sweep'], 'config/ owns reading YAML'],
];

const isFs = (spec: string) => /^(node:)?fs(\/promises)?$/.test(spec);
const isChildProcess = (spec: string) => /^(node:)?child_process$/.test(spec);
/** config/ reads files in exactly one module. */
const CONFIG_FS_FILE = 'config/read.ts';

/** Files that may write to the terminal: cli/ and log/ own it; sweep's listing lines default to stdout. */
const TERMINAL_OK = (file: string) => file.startsWith('cli/') || file.startsWith('log/') || file === 'sweep/sweep.ts';

// ---------------------------------------------------------------- scanning

/** The source without its comments: `//` lines and trailing ` // ...`, and block comments that start a line. */
function codeOf(text: string): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    let rest = line;
    if (inBlock) {
      const end = rest.indexOf('*/');
      if (end < 0) continue;
      inBlock = false;
      rest = rest.slice(end + 2);
    }
    rest = rest.replace(/\s\/\/\s.*$/, ''); // a trailing `// comment`
    const t = rest.trimStart();
    if (t.startsWith('//')) continue;
    if (t.startsWith('/*')) {
      const end = t.indexOf('*/', 2);
      if (end < 0) { inBlock = true; continue; }
      rest = t.slice(end + 2);
    }
    out.push(rest);
  }
  return out.join('\n');
}

/** Every module specifier the code imports. An import clause never holds `(`, `=` or `;`. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'"`;()=]*?\bfrom\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/\b(?:import|require(?:\.resolve)?)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The module of a path relative to src/ (`nets/latents.ts` -> nets, `errors.ts` -> errors.ts). */
const moduleOf = (rel: string) => rel.split('/')[0]!;

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface Edge { file: string; spec: string; target: string | null } // file, target: relative to src/ (target null for packages)

const sources = walk(SRC).map((path) => ({ file: relative(SRC, path).split(sep).join('/'), code: codeOf(readFileSync(path, 'utf8')) }));
const edges: Edge[] = sources.flatMap(({ file, code }) => specifiers(code).map((spec) => {
  if (!spec.startsWith('.')) return { file, spec, target: null };
  const abs = resolve(SRC, dirname(file), spec);
  const rel = relative(SRC, abs).split(sep).join('/');
  // outside src/: name it by the top-level folder (`../schema/x.json` -> `schema`)
  return { file, spec, target: rel.startsWith('../') ? relative(REPO_ROOT, abs).split(sep).join('/') : rel };
}));

// ---------------------------------------------------------------- rules

/** The violation for one edge, or null. */
function checkEdge({ file, spec, target }: Edge): string | null {
  const from = moduleOf(file);
  if (target === null) return checkPackage(file, from, spec);
  const to = moduleOf(target);
  const shown = target.startsWith('schema/') ? target : `src/${target}`;
  if (from === to) return null;
  if (!(MAY_IMPORT[from] ?? []).includes(to)) return `src/${file} imports ${shown} (${from} -> ${to} not allowed)`;
  if (to === 'config' && TYPES_ONLY_CONFIG.has(from) && target !== 'config/types.ts' && !CONFIG_LOADER_OK.has(file)) {
    return `src/${file} imports ${shown} (${from} -> config not allowed beyond config/types.ts)`;
  }
  return null;
}

function checkPackage(file: string, from: string, spec: string): string | null {
  for (const [pattern, owners, why] of PACKAGE_OWNERS) {
    if (pattern.test(spec) && !owners.includes(from)) return `src/${file} imports ${spec} (${from} -> ${spec} not allowed: ${why})`;
  }
  if (from === 'plan' && (isFs(spec) || isChildProcess(spec))) return `src/${file} imports ${spec} (plan -> ${spec} not allowed: plan/ is pure)`;
  if (from === 'config' && isChildProcess(spec)) return `src/${file} imports ${spec} (config -> ${spec} not allowed)`;
  if (from === 'config' && isFs(spec) && file !== CONFIG_FS_FILE) return `src/${file} imports ${spec} (config -> ${spec} not allowed outside ${CONFIG_FS_FILE})`;
  return null;
}

/** Direct terminal writes: a grep-level check on the code (comments stripped). */
function terminalWrites(file: string, code: string): string[] {
  if (TERMINAL_OK(file)) return [];
  return [...code.matchAll(/\b(process\.(?:stdout|stderr)|console\.\w+)/g)].map((m) => `src/${file} uses ${m[1]} (write through log/ instead)`);
}

// ---------------------------------------------------------------- tests

test('every top-level entry of src/ has a row in the table', (t) => {
  const entries = readdirSync(SRC).filter((n) => n.endsWith('.ts') || statSync(join(SRC, n)).isDirectory()).sort();
  t.deepEqual(entries.filter((n) => !(n in MAY_IMPORT)), []);
  for (const [from, tos] of Object.entries(MAY_IMPORT)) {
    for (const to of tos) t.true(to === 'schema' || to in MAY_IMPORT, `${from} lists unknown module ${to}`);
  }
});

test('the scanner finds every import form and skips comments', (t) => {
  const src = [
    "import * as tf from '@tensorflow/tfjs-core';",
    "import '@tensorflow/tfjs-backend-cpu';",
    'import {', '  a,', '  type B,', "} from '../plan/types.ts';",
    "export { x } from './x.ts';", "export * from './y.ts';",
    "const m = await import('../train/index.ts');",
    "let d: import('node:fs').Dirent;",
    "const p = require.resolve('pkg/file.wasm');",
    "export const s = 'from \\'nowhere\\'';",
    '/**', " * import { no } from '../metrics/rng.ts';", ' */',
    "// import { neither } from '../cli/main.ts';",
    "/* import { nor } from 'commander'; */ export const k = 1;",
    "const w = 1; // console.log(w) and import('../cli/x.ts')",
  ].join('\n');
  t.deepEqual(specifiers(codeOf(src)).sort(), [
    '../plan/types.ts', '../train/index.ts', './x.ts', './y.ts', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-core', 'node:fs', 'pkg/file.wasm',
  ]);
});

test('the rules flag forbidden edges and pass allowed ones', (t) => {
  const v = (file: string, spec: string, target: string | null) => checkEdge({ file, spec, target });
  t.is(v('nets/latents.ts', '../metrics/rng.ts', 'metrics/rng.ts'), 'src/nets/latents.ts imports src/metrics/rng.ts (nets -> metrics not allowed)');
  t.is(v('plan/x.ts', '../nets/index.ts', 'nets/index.ts'), 'src/plan/x.ts imports src/nets/index.ts (plan -> nets not allowed)');
  t.is(v('ops/x.ts', '../config/types.ts', 'config/types.ts'), 'src/ops/x.ts imports src/config/types.ts (ops -> config not allowed)');
  t.is(v('metrics/x.ts', '../train/index.ts', 'train/index.ts'), 'src/metrics/x.ts imports src/train/index.ts (metrics -> train not allowed)');
  t.is(v('train/loop.ts', '../config/index.ts', 'config/index.ts'), 'src/train/loop.ts imports src/config/index.ts (train -> config not allowed beyond config/types.ts)');
  t.regex(v('train/x.ts', 'commander', null) ?? '', /^src\/train\/x\.ts imports commander \(train -> commander not allowed/);
  t.regex(v('config/x.ts', '@tensorflow/tfjs-core', null) ?? '', /config -> @tensorflow\/tfjs-core not allowed/);
  t.regex(v('plan/x.ts', 'node:fs', null) ?? '', /plan -> node:fs not allowed/);
  t.regex(v('plan/x.ts', 'child_process', null) ?? '', /plan -> child_process not allowed/);
  t.regex(v('config/resolve.ts', 'node:fs', null) ?? '', /config -> node:fs not allowed outside config\/read\.ts/);
  t.is(v('config/read.ts', 'node:fs', null), null);
  t.is(v('train/run/run-dir.ts', '../../config/index.ts', 'config/index.ts'), null);
  t.is(v('train/session.ts', '../data/index.ts', 'data/index.ts'), null);
  t.is(v('config/schema.ts', '../../schema/config.schema.json', 'schema/config.schema.json'), null);
  t.is(v('plan/x.ts', '../../schema/config.schema.json', 'schema/config.schema.json'), 'src/plan/x.ts imports schema/config.schema.json (plan -> schema not allowed)');
  t.deepEqual(terminalWrites('train/x.ts', 'process.stderr.write(s); console.log(1);'), [
    'src/train/x.ts uses process.stderr (write through log/ instead)', 'src/train/x.ts uses console.log (write through log/ instead)',
  ]);
  t.deepEqual(terminalWrites('cli/x.ts', 'process.stdout.write(s);'), []);
});

test('src/ scan: the sources and their imports were found', (t) => {
  t.true(sources.length > 100, `${sources.length} files`);
  t.true(edges.some((e) => e.file === 'nets/generator.ts' && e.target === 'plan/types.ts'));
  t.true(edges.some((e) => e.file === 'backend/tf.ts' && e.spec === '@tensorflow/tfjs-core'));
  t.true(edges.some((e) => e.file === 'cli/program.ts' && e.target === 'cli/run.ts'), 'dynamic import()');
});

test('every import in src/ follows the one-way flow', (t) => {
  const violations = edges.map(checkEdge).filter((v): v is string => v !== null);
  t.deepEqual(violations, [], `\n${violations.join('\n')}`);
});

test('no library module writes to the terminal directly (train/ by DESIGN.md; cli/ and log/ own it)', (t) => {
  const found = sources.flatMap(({ file, code }) => terminalWrites(file, code));
  t.deepEqual(found, [], `\n${found.join('\n')}`);
});
