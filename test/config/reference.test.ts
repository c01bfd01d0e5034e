// docs/config-reference.md is generated from the schema and committed: stale means a failing test.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '../../src/config/index.ts';
import { allKeyPaths } from '../../src/config/schema.ts';
import { REPO_ROOT } from '../_golden.ts';

test('docs/config-reference.md is up to date (run `npm run docs`)', (t) => {
  t.is(readFileSync(join(REPO_ROOT, 'docs', 'config-reference.md'), 'utf8'), renderConfigReference());
});

test('the reference lists every key with its default', (t) => {
  const text = renderConfigReference();
  for (const path of allKeyPaths()) {
    // Top-level sections are headings; every other key is a table row.
    const isHeading = path.length === 1 && text.includes(`## \`${path[0]}\``);
    t.true(isHeading || text.includes(`| \`${path.join('.')}\` |`), path.join('.'));
  }
  t.regex(text, /\| `generator\.schedule\.first_stopband` \| number \| `4\.2870938501451725` \| > 0 \|/);
  t.regex(text, /\| `optim\.generator\.lr` \| number \| `0\.0025` \|/);
  t.regex(text, /\| `paper\.row` \| string \| required \|/);
});
