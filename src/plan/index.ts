/**
 * plan/: pure functions ResolvedConfig -> Plan (plain JSON). No tfjs, no file system: a test scans
 * this folder for such imports. nets/, train/ and report/ read derived numbers only from here.
 */
import type { ResolvedConfig } from '../config/types.ts';
import { RunError } from '../errors.ts';
import { planCost } from './cost.ts';
import { planDiscriminator } from './discriminator.ts';
import { planMapping, planSynthesis } from './synthesis.ts';
import { planTraining, snapshotGridSize } from './training.ts';
import { PLAN_FORMAT, PLAN_VERSION, type Plan } from './types.ts';
import { assertPlannable } from './validate.ts';

export type * from './types.ts';
export { PLAN_FORMAT, PLAN_VERSION } from './types.ts';
export { planSynthesis, planMapping, planFullyConnected, effectiveMagnitudeEmaBeta } from './synthesis.ts';
export { planDiscriminator, discriminatorChannels } from './discriminator.ts';
export { planTraining, planAdam, blurTaps, planGrid, snapshotGridSize } from './training.ts';
export { planCost } from './cost.ts';
export { generatorParams, discriminatorParams, numel, type ParamSpec } from './params.ts';
export { planProblems, assertPlannable } from './validate.ts';
export { scheduleArrays, flexibleSchedule, rigidSchedule, rigidHalfWidth, roundHalfEven, type ScheduleArrays } from './schedule.ts';
export {
  designLowpassFilter, designKaiser, designLanczos, designGaussian, bilinearTaps, bilinearNumtaps,
  kaiserAtten, kaiserBeta, kaiserWindow, sinc, type FilterSpec, type FilterTaps,
} from './filters.ts';
export { besselI0, besselJ1 } from './bessel.ts';
export { formatPlan } from './format.ts';

/**
 * Plans a whole experiment:
 * 1. check the cross-key rules (ConfigError listing every problem);
 * 2. synthesis schedule and layers, then the mapping (num_ws comes from the synthesis);
 * 3. discriminator, training schedule, and the parameter / FLOP counts of the result.
 */
export function planExperiment(cfg: ResolvedConfig): Plan {
  assertPlannable(cfg);
  const synthesis = planSynthesis(cfg);
  const mapping = planMapping(cfg, synthesis.num_ws);
  const discriminator = planDiscriminator(cfg);
  const base = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: cfg.name,
    img_resolution: cfg.data.resolution,
    img_channels: cfg.data.channels,
    mapping,
    synthesis,
    discriminator,
  } as const;
  return { ...base, training: planTraining(cfg), cost: planCost(base) };
}

/** The Plan as pretty JSON (what `sg3 plan --json` prints and runs store). */
export function planToJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * plan.json files written before train.grid existed lack training.grid_w/grid_h; those runs drew
 * the official grid capped at 8 per side, so their resumes get that size back (the grid is fixed
 * for a run and its resumes). New plans always carry the numbers.
 */
const PRE_GRID_KEY_CAP = 8;

function fillLegacyGrid(plan: Plan): void {
  const t = plan.training as Partial<Plan['training']> | undefined;
  if (typeof t !== 'object' || t === null || (typeof t.grid_w === 'number' && typeof t.grid_h === 'number')) return;
  const { gridW, gridH } = snapshotGridSize(plan.img_resolution, plan.img_resolution);
  t.grid_w = Math.min(gridW, PRE_GRID_KEY_CAP);
  t.grid_h = Math.min(gridH, PRE_GRID_KEY_CAP);
}

/** Parses a stored Plan; `where` names the source in errors. Checks the format tag and version. */
export function parsePlan(text: string, where = 'plan'): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RunError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const v = value as Partial<Plan> | null;
  if (v === null || typeof v !== 'object' || v.format !== PLAN_FORMAT) {
    throw new RunError(`${where}: not an sg3 plan (got format ${JSON.stringify(v?.format ?? null)})`);
  }
  if (v.version !== PLAN_VERSION) throw new RunError(`${where}: unsupported plan version (got ${v.version}, expected ${PLAN_VERSION})`);
  fillLegacyGrid(v as Plan);
  return v as Plan;
}
