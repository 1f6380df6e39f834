#!/usr/bin/env node
import('../dist/cli/main.js').then(
  (m) => m.run(),
  (err) => {
    process.stderr.write(`deskops: cannot start (${err.message}); run \`npm run build\` first\n`);
    process.exitCode = 1;
  },
);
