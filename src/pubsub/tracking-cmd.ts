// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO, with Redis 7.0.15's checks in its
// order and its error texts. The state is in server/tracking.ts.

import type { CommandImpls } from '../commands/types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseInt64 } from '../commands/args.js';
import { trackingOf } from './install.js';

interface TrackingArgs {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
}

/** Parses the options after ON|OFF; replies with the error and returns null when invalid. */
function parseOptions(c: Client, argv: string[]): TrackingArgs | null {
  const a: TrackingArgs = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (opt === 'redirect' && more) {
      j++;
      if (a.redirect !== 0) {
        c.reply.error('A client can only redirect to a single other client');
        return null;
      }
      const id = parseInt64(argv[j]!);
      if (id === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      if (!c.server.clients.has(Number(id))) {
        c.reply.error('The client ID you want redirect to does not exist');
        return null;
      }
      a.redirect = Number(id);
    } else if (opt === 'bcast') {
      a.bcast = true;
    } else if (opt === 'optin') {
      a.optin = true;
    } else if (opt === 'optout') {
      a.optout = true;
    } else if (opt === 'noloop') {
      a.noloop = true;
    } else if (opt === 'prefix' && more) {
      a.prefixes.push(argv[++j]!);
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return a;
}

/** The compatibility checks of CLIENT TRACKING ON; null when fine, else the error. */
function checkOn(c: Client, a: TrackingArgs): string | null {
  const tracking = trackingOf(c.server);
  const st = c.has(CLIENT.tracking) ? tracking.state(c) : undefined;
  if (!a.bcast && a.prefixes.length > 0) return 'ERR PREFIX option requires BCAST mode to be enabled';
  if (st !== undefined && st.bcast !== a.bcast) {
    return "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  if (a.bcast && (a.optin || a.optout)) return 'ERR OPTIN and OPTOUT are not compatible with BCAST';
  if (a.optin && a.optout) return "You can't specify both OPTIN mode and OPTOUT mode";
  if (st !== undefined && ((a.optin && st.optout) || (a.optout && st.optin))) {
    return "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  if (a.bcast) return tracking.prefixCollision(c, a.prefixes);
  return null;
}

function trackingCmd(c: Client, argv: string[]): void {
  const a = parseOptions(c, argv);
  if (a === null) return;
  const mode = argv[2]!.toLowerCase();
  const tracking = trackingOf(c.server);
  if (mode === 'on') {
    const err = checkOn(c, a);
    if (err !== null) return c.reply.error(err);
    tracking.enable(c, a.redirect, a, a.prefixes);
  } else if (mode === 'off') {
    tracking.disable(c);
  } else {
    return c.reply.error(E.syntax);
  }
  c.reply.ok();
}

function caching(c: Client, argv: string[]): void {
  const st = c.has(CLIENT.tracking) ? trackingOf(c.server).state(c) : undefined;
  if (st === undefined) {
    return c.reply.error(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
  }
  const opt = argv[2]!.toLowerCase();
  if (opt === 'yes') {
    if (!st.optin) return c.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (opt === 'no') {
    if (!st.optout)
      return c.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    return c.reply.error(E.syntax);
  }
  st.caching = true;
  c.reply.ok();
}

function trackingInfo(c: Client): void {
  const st = c.has(CLIENT.tracking) ? trackingOf(c.server).state(c) : undefined;
  const flags: string[] = [st === undefined ? 'off' : 'on'];
  if (st !== undefined) {
    if (st.bcast) flags.push('bcast');
    if (st.optin) flags.push('optin');
    if (st.optin && st.caching) flags.push('caching-yes');
    if (st.optout) flags.push('optout');
    if (st.optout && st.caching) flags.push('caching-no');
    if (st.noloop) flags.push('noloop');
    if (st.brokenRedirect) flags.push('broken_redirect');
  }
  const r = c.reply;
  r.mapLen(3);
  r.bulk('flags');
  r.setLen(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.int(st === undefined ? -1 : st.redirect);
  r.bulk('prefixes');
  const prefixes = st === undefined ? [] : [...st.prefixes].sort();
  r.bulkArray(prefixes);
}

export const trackingCommands: CommandImpls = {
  'client|tracking': trackingCmd,
  'client|caching': caching,
  'client|getredir'(c) {
    const st = c.has(CLIENT.tracking) ? trackingOf(c.server).state(c) : undefined;
    c.reply.int(st === undefined ? -1 : st.redirect);
  },
  'client|trackinginfo': trackingInfo,
};
