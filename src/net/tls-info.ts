// What INFO and CLIENT LIST / CLIENT INFO show about TLS, in fields Redis does not have
// (appended after its own, and only when TLS is in use, so plaintext output is unchanged).

import { addInfoProvider, type InfoFields } from '../commands/info.js';
import { clientInfoHooks } from '../commands/client-cmd.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { tlsManager, type ClientTls } from './tls.js';

/** CLIENT LIST values are space-separated: escape spaces, controls, '%' and non-ASCII as %XX. */
export function escapeField(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x25) {
      for (const b of Buffer.from(s[i]!, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    } else out += s[i];
  }
  return out;
}

export function clientTlsFields(c: Client): string {
  const t = c.ext.tls as ClientTls | undefined;
  if (t === undefined) return '';
  return ` tls-protocol=${t.protocol} tls-cipher=${t.cipher} tls-peer=${escapeField(t.peer)}`;
}

function serverFields(server: Server): InfoFields {
  const m = tlsManager(server);
  if (m === undefined || !m.configured) return {};
  const days = m.daysLeft();
  return {
    tls_port: server.config.int('tls-port'),
    tls_cert_expiry: Math.floor(m.certExpiry / 1000),
    tls_cert_days_left: days ?? 0,
  };
}

function clientsFields(server: Server): InfoFields {
  const m = tlsManager(server);
  if (m === undefined || !m.configured) return {};
  let n = 0;
  const byProto = new Map<string, number>();
  for (const c of server.clients.values()) {
    const t = c.ext.tls as ClientTls | undefined;
    if (t === undefined) continue;
    n++;
    byProto.set(t.protocol, (byProto.get(t.protocol) ?? 0) + 1);
  }
  return {
    connected_tls_clients: n,
    tls_clients_by_protocol: [...byProto].map(([p, k]) => `${p}=${k}`).join(','),
  };
}

function statsFields(server: Server): InfoFields {
  const m = tlsManager(server);
  if (m === undefined || !m.configured) return {};
  const s = m.stats;
  return {
    tls_handshakes: s.handshakes,
    tls_handshake_failures: s.handshakeFailures,
    tls_reloads: s.reloads,
    tls_reload_failures: s.reloadFailures,
    tls_last_reload: Math.floor(s.lastReload / 1000),
    tls_cert_logins: s.certLogins,
    tls_cert_login_failures: s.certLoginFailures,
  };
}

let installed = false;

/** Registers the INFO fields and CLIENT LIST fields (once per process). */
export function installTlsInfo(): void {
  if (installed) return;
  installed = true;
  addInfoProvider('server', serverFields);
  addInfoProvider('clients', clientsFields);
  addInfoProvider('stats', statsFields);
  const prev = clientInfoHooks.extraFields;
  clientInfoHooks.extraFields = (c) => prev(c) + clientTlsFields(c);
}
