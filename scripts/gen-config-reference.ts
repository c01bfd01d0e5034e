// `npm run docs`: regenerate docs/config-reference.md from schema/config.schema.json.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../src/config/reference.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';

const target = resolve(fileURLToPath(import.meta.url), '..', '..', 'docs', 'config-reference.md');
writeFileAtomic(target, renderConfigReference());
process.stdout.write(`wrote ${target}\n`);
