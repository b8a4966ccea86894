// Server commands: INFO, CLIENT, DEBUG, MEMORY (each in its own file), TIME, LASTSAVE and
// SHUTDOWN, and the start-up wiring they need (protected commands, cron sampling).

import { diskErrorRefusal } from '../persist/disk-error.js';
import { busyRefusal } from '../scripting/busy.js';
import type { CommandImpls } from './types.js';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { gate } from './dispatch.js';
import { CMD } from './flags.js';
import { infoCommands, installInfoSampling } from './info.js';
import { clientCommands, installClientsCron } from './client-cmd.js';
import { debugCommand } from './debug.js';
import { memoryCommands, recordStartupMemory } from './memory.js';
import { shutdownSave } from '../persist/rdb-file.js';

/** Protected commands (full names) and the enable-* setting that allows each. */
const PROTECTED: Record<string, string> = {
  debug: 'enable-debug-command',
  // MODULE LIST and HELP stay open, as in Redis.
  'module|load': 'enable-module-command',
  'module|loadex': 'enable-module-command',
  'module|unload': 'enable-module-command',
};

/** Called once from the Server constructor, after the command registry is built. */
export function installServerCommands(server: Server): void {
  for (const [fullname, setting] of Object.entries(PROTECTED)) {
    const cmd = server.commands.lookupOriginal(fullname);
    if (cmd === undefined) continue;
    gate.protectedBy.set(cmd.id, setting);
    // COMMAND INFO hides the protected flag, so the generated table lacks it: the gate tests
    // the bit, set here.
    (cmd as { flags: number }).flags |= CMD.protected;
  }
  gate.diskError = (c) => diskErrorRefusal(c.server);
  const ping = server.commands.lookupOriginal('ping');
  if (ping !== undefined) gate.refusedOnDiskError.add(ping.id);
  installInfoSampling(server);
  installClientsCron(server);
  recordStartupMemory(server);
}

function shutdown(c: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let other = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'nosave') nosave = true;
    else if (opt === 'save') save = true;
    else if (opt === 'now') other = true;
    else if (opt === 'force') other = force = true;
    else if (opt === 'abort') abort = true;
    else return c.reply.error(E.syntax);
  }
  if ((abort && (save || nosave || other)) || (save && nosave)) return c.reply.error(E.syntax);
  // Shutdown is immediate (any save is synchronous), so there is never one in progress to abort.
  if (abort) return c.reply.error('No shutdown in progress.');
  // While a script is busy only SHUTDOWN NOSAVE goes through: saving would catch it half-way.
  const busy = nosave ? null : busyRefusal(c.server);
  if (busy !== null) return c.reply.error(busy);
  // Save first when asked or when save points are set (NOSAVE skips it, FORCE ignores a failure).
  if (!shutdownSave(c.server, save, nosave) && !force) return c.reply.error('Errors trying to SHUTDOWN. Check logs.');
  c.server.log.warning('User requested shutdown...');
  c.server.shutdown(0);
}

export const serverCommands: CommandImpls = {
  ...infoCommands,
  ...clientCommands,
  ...memoryCommands,
  debug: debugCommand,

  time(c) {
    // Microsecond resolution from the high-resolution clock.
    const t = performance.timeOrigin + performance.now();
    const sec = Math.floor(t / 1000);
    c.reply.arrayLen(2);
    c.reply.bulk(String(sec));
    c.reply.bulk(String(Math.floor((t - sec * 1000) * 1000)));
  },

  lastsave(c) {
    c.reply.int(c.server.lastSave);
  },

  shutdown,
};
