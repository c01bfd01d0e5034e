// mean, sample std and Spearman's rho against values worked by hand (and scipy's conventions).
import test from 'ava';
import { mean, ranks, sampleStd, spearman } from '../../src/report/index.ts';

test('mean and sample std (n - 1)', (t) => {
  t.is(mean([1, 2, 3, 4]), 2.5);
  t.is(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  t.is(sampleStd([3]), 0);
  t.throws(() => mean([]), { message: /at least one/ });
});

test('ranks: ties share their average rank', (t) => {
  t.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  t.deepEqual(ranks([3, 3, 3]), [2, 2, 2]);
});

test('spearman: monotone = 1, reversed = -1, a worked example, ties, too few or constant = null', (t) => {
  t.is(spearman([1, 2, 3, 4], [10, 100, 1000, 10000]), 1);
  t.is(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // d = rank differences (0, -1, 1, 0, 0): rho = 1 - 6 * 2 / (5 * 24) = 0.9.
  t.true(Math.abs(spearman([1, 2, 3, 4, 5], [1, 3, 2, 4, 5])! - 0.9) < 1e-12);
  // With ties: Pearson on average ranks; scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138.
  t.true(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4])! - 0.9486832980505138) < 1e-12);
  t.is(spearman([1, 2], [2, 1]), null);
  t.is(spearman([1, 2, 3], [5, 5, 5]), null);
  t.throws(() => spearman([1, 2, 3], [1, 2]), { message: /differ in length/ });
});
