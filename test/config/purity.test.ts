// config/ knows nothing about tensors, and reads the disk in exactly one file (read.ts).
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';

const dir = join(REPO_ROOT, 'src', 'config');
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }));
const imports = (text: string) => [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);

test('src/config imports no tfjs and nothing from downstream modules', (t) => {
  for (const { f, text } of sources) {
    for (const spec of imports(text)) {
      t.false(spec.includes('tensorflow'), `${f} imports ${spec}`);
      t.false(/\.\.\/(plan|nets|ops|train|metrics|data|backend|cli|sweep|report|log)\//.test(spec), `${f} imports ${spec}`);
    }
  }
});

test('only src/config/read.ts touches the file system', (t) => {
  const users = sources.filter(({ text }) => imports(text).some((s) => /^(node:)?fs(\/promises)?$/.test(s))).map((s) => s.f);
  t.deepEqual(users, ['read.ts']);
});
