#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const message = error instanceof Error ? error.message : String(error);
    // Many of the library's own messages already name it.
    process.stderr.write(`${message.startsWith('schedscope: ') ? '' : 'schedscope: '}${message}\n`);
    process.exitCode = 2;
  },
);
