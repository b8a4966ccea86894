// Shared by the benchmark scripts: start a server process and wait for its Ready line.
import { spawn } from 'node:child_process';

/** Spawns cmd and resolves once it logs "Ready to accept"; rejects if it exits first. */
export async function startServer(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`${cmd} exited ${c}: ${out}`)));
  });
  child.stdout.resume();
  return child;
}
