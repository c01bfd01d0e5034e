// The executable side of the CLI: bin/sg3.js imports this; tests import ./program.ts instead.
import { main } from './program.ts';

// `sg3 plan ... | head` closes our stdout early; that is the reader's choice, not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
