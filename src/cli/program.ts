/**
 * `sg3` entry point: builds the commander program from one module per verb, runs it, and maps
 * errors to exit codes (2 config/usage, 1 run failure, 130/143 signals). Verbs hold no logic.
 *
 * Start-up is lazy: only the verb being run (or asked for with `help <verb>`) is imported and
 * registered in full; every other verb is listed from its one-line summary below. The verbs that
 * compute (generate, run, metrics, ...) pull in tfjs (~1.5 s), which `sg3 --help`, `sg3 validate`
 * and `sg3 plan` never load. test/cli/program.test.ts keeps each summary equal to its module's own
 * registration, so the top-level help reads the same whichever verb is loaded.
 */
import { Command, CommanderError, Help } from 'commander';
import { ConfigError, exitCodeFor, isUserError } from '../errors.ts';
import { VERSION } from '../version.ts';

type Register = (program: Command) => void;

interface Verb {
  term: string;         // as `sg3 --help` lists it: name [options] <arguments>
  description: string;
  load: () => Promise<Register>;
}

const VERBS: Verb[] = [
  {
    term: 'validate [options] <config...>',
    description: 'check config files (syntax, extends, schema, profiles, cross-field rules)',
    load: async () => (await import('./validate.ts')).registerValidate,
  },
  {
    term: 'plan [options] <config>',
    description: 'print the planned network: layer schedule (sampling rates, cutoffs, filters), discriminator, parameters and FLOPs',
    load: async () => (await import('./plan.ts')).registerPlan,
  },
  {
    term: 'dataset [options]',
    description: 'convert images (a folder, a zip, or an MNIST-style *-images-idx3-ubyte[.gz] file) into the official dataset format: PNGs in a folder or stored zip, plus dataset.json labels',
    load: async () => (await import('./dataset.ts')).registerDataset,
  },
  {
    term: 'generate [options]',
    description: 'generate images from a trained generator (official gen_images.py semantics)',
    load: async () => (await import('./generate.ts')).registerGenerate,
  },
  {
    term: 'run [options] [config]',
    description: 'train one experiment into a new run directory (or resume one)',
    load: async () => (await import('./run.ts')).registerRun,
  },
  {
    term: 'metrics [options]',
    description: 'EQ-T, EQ-T_frac, EQ-R, FID, KID and SWD of a generator (official calc_metrics.py semantics)',
    load: async () => (await import('./metrics.ts')).registerMetrics,
  },
  {
    term: 'sweep [options] <experiment>',
    description: 'run every cell (case x grid x seed) of an experiment file as a separate sg3 run; resumable',
    load: async () => (await import('./sweep.ts')).registerSweep,
  },
  {
    term: 'table [options] <experiment>',
    description: 'print the paper\'s table with our values beside it (mean ± std over seeds, delta, Spearman rho) and write a PNG chart',
    load: async () => (await import('./table.ts')).registerTable,
  },
];

const nameOf = (verb: Verb) => verb.term.split(' ')[0]!;

/** The verb argv runs or asks help for (`sg3 <verb> ...`, `sg3 help <verb>`); null for `sg3 --help` etc. */
export function requestedVerb(argv: string[]): string | null {
  const words = argv.filter((a) => !a.startsWith('-'));
  return (words[0] === 'help' ? words[1] : words[0]) ?? null;
}

/** The program with `argv`'s verb registered in full and the others as summaries. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('sg3')
    .description('Declarative StyleGAN3 experiments: YAML configs in; plans, trained runs, metrics and the paper\'s tables out')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  const wanted = requestedVerb(argv);
  const summaryTerms = new Map<Command, string>();
  for (const verb of VERBS) {
    if (nameOf(verb) === wanted) {
      (await verb.load())(program);
      continue;
    }
    const summary = program.command(nameOf(verb)).description(verb.description)
      .action(() => { throw new Error(`sg3 ${nameOf(verb)}: listed but not loaded (requestedVerb missed it)`); });
    summaryTerms.set(summary, verb.term);
  }
  const defaultTerm = Help.prototype.subcommandTerm;
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command) { return summaryTerms.get(cmd) ?? defaultTerm.call(this, cmd); },
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help text)
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (isUserError(e)) {
      const lines = e instanceof ConfigError ? e.lines : [e.message];
      for (const line of lines) process.stderr.write(`${line}\n`);
      return exitCodeFor(e);
    }
    process.stderr.write(`sg3: internal error (this is a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
