// main() of the real program in-process, its stdout and stderr captured: the CLI tests' runner.
import { main } from '../../src/cli/program.ts';

export interface MainResult { code: number; out: string; err: string }

/** Runs `sg3 <args>` through main() (serial tests only: it swaps the process's stream writers). */
export async function runMain(args: string[]): Promise<MainResult> {
  let out = '';
  let err = '';
  const { stdout, stderr } = process;
  const [writeOut, writeErr] = [stdout.write, stderr.write];
  stdout.write = ((s: string) => { out += s; return true; }) as typeof stdout.write;
  stderr.write = ((s: string) => { err += s; return true; }) as typeof stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}
