// The running server: its user, memory limit, logging, protected configs and version.

import { REF, type Finding, type Severity } from '../findings.js';
import { cfg, type Snapshot } from '../snapshot.js';

function root(s: Snapshot): Finding[] {
  if (s.processUid !== 0) return [];
  return [
    {
      id: 'PROC-ROOT',
      severity: 'high',
      title: 'The server runs as root',
      seen: `process ${s.info?.get('process_id') ?? '?'} has uid 0`,
      why: 'Anyone who gets CONFIG SET dir/dbfilename or a memory-safety bug gets root on the host.',
      fix: 'Run it as a dedicated unprivileged user (systemd User=, or the redis account).',
      ref: REF.root,
    },
  ];
}

function maxmemory(s: Snapshot): Finding[] {
  if (cfg(s, 'maxmemory') !== '0') return [];
  return [
    {
      id: 'MEM-MAXMEMORY',
      severity: 'medium',
      title: 'No memory limit',
      seen: 'maxmemory 0',
      why: 'A runaway client or a flood of writes grows the process until the kernel OOM killer stops it or its neighbours.',
      fix: 'Set maxmemory (e.g. "maxmemory 2gb") and a maxmemory-policy that fits the data.',
      ref: REF.maxmemory,
    },
  ];
}

function logfile(s: Snapshot): Finding[] {
  const v = cfg(s, 'logfile');
  if (v === undefined || v !== '' || cfg(s, 'syslog-enabled') === 'yes') return [];
  return [
    {
      id: 'LOG-FILE',
      severity: 'low',
      title: 'No log file',
      seen: 'logfile "" (standard output) and syslog-enabled no',
      why: 'Without a kept log there is no record of restarts, errors or configuration changes to investigate.',
      fix: 'Set logfile to a path (rotated, mode 640) or enable syslog.',
      ref: REF.logFile,
    },
  ];
}

const PROTECTED = ['enable-protected-configs', 'enable-debug-command', 'enable-module-command'];

function protectedConfigs(s: Snapshot): Finding[] {
  const on = PROTECTED.map((n) => [n, cfg(s, n)] as const).filter(([, v]) => v === 'yes' || v === 'local');
  if (on.length === 0) return [];
  const severity: Severity = on.some(([, v]) => v === 'yes') ? 'medium' : 'low';
  return [
    {
      id: 'PROTECTED-CONFIGS',
      severity,
      title: 'Protected configs, DEBUG or MODULE allowed',
      seen: on.map(([n, v]) => `${n} ${v}`).join(', '),
      why: 'CONFIG SET dir/dbfilename, DEBUG and MODULE LOAD are the classic ways from a Redis login to code execution on the host.',
      fix: `Set ${on.map(([n]) => n).join(', ')} to "no" (or "local" at most).`,
      ref: REF.protectedConfigs,
    },
  ];
}

function version(s: Snapshot): Finding[] {
  const v = s.info?.get('redis_version');
  if (v === undefined) return [];
  return [
    {
      id: 'SRV-VERSION',
      severity: 'info',
      title: 'Server version',
      seen: `redis_version ${v}${s.info?.get('redoubt_version') !== undefined ? `, redoubt ${s.info.get('redoubt_version')}` : ''}`,
      why: 'Security fixes arrive in patch releases.',
      fix: 'Compare with the latest stable release and upgrade when behind.',
      ref: REF.version,
    },
  ];
}

export function runtimeChecks(s: Snapshot): Finding[] {
  return [...root(s), ...maxmemory(s), ...logfile(s), ...protectedConfigs(s), ...version(s)];
}
