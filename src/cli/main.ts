// The executable side of the CLI: bin/sg3.js imports this; tests import ./program.ts instead.
import { main } from './program.ts';

process.exitCode = await main(process.argv.slice(2));
