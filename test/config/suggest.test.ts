import test from 'ava';
import { closest, editDistance } from '../../src/config/suggest.ts';

test('editDistance counts insertions, deletions and substitutions', (t) => {
  t.is(editDistance('', ''), 0);
  t.is(editDistance('batch', 'batch'), 0);
  t.is(editDistance('bach', 'batch'), 1);
  t.is(editDistance('kitten', 'sitting'), 3);
  t.is(editDistance('abc', ''), 3);
});

test('closest suggests near typos, ignores separators, and gives up on far words', (t) => {
  const keys = ['z_dim', 'w_dim', 'mapping', 'channels'];
  t.is(closest('zdim', keys), 'z_dim');
  t.is(closest('Z-DIM', keys), 'z_dim');
  t.is(closest('chanels', keys), 'channels');
  t.is(closest('learning_rate', keys), null);
  t.is(closest('x', []), null);
});
