// Rendering: a human report grouped by severity (ANSI colours only when asked), or JSON with
// the target, the findings and counts by severity.

import { SEVERITIES, countBySeverity, sortFindings, type Finding, type Severity } from './findings.js';

export interface Target {
  config: string | null;
  /** The URL without its password. */
  url: string | null;
}

const COLOUR: Record<Severity, string> = {
  critical: '\x1b[1;35m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const RESET = '\x1b[0m';

export function renderJson(target: Target, findings: readonly Finding[]): string {
  const sorted = sortFindings(findings);
  return JSON.stringify({ target, findings: sorted, summary: countBySeverity(sorted) }, null, 2) + '\n';
}

export function renderHuman(target: Target, findings: readonly Finding[], colour: boolean): string {
  const paint = (sev: Severity, text: string): string => (colour ? COLOUR[sev] + text + RESET : text);
  const sorted = sortFindings(findings);
  const lines: string[] = [];
  const what = [
    target.config !== null ? `config ${target.config}` : null,
    target.url !== null ? `server ${target.url}` : null,
  ];
  lines.push(`redoubt audit: ${what.filter((x) => x !== null).join(' + ')}`, '');
  for (const sev of [...SEVERITIES].reverse()) {
    const group = sorted.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    lines.push(paint(sev, `${sev.toUpperCase()} (${group.length})`));
    for (const f of group) {
      lines.push(`  ${paint(sev, `[${f.id}]`)} ${f.title}`);
      lines.push(`      seen: ${f.seen}`, `      why:  ${f.why}`, `      fix:  ${f.fix}`, `      ref:  ${f.ref}`);
    }
    lines.push('');
  }
  const c = countBySeverity(sorted);
  const summary = [...SEVERITIES]
    .reverse()
    .map((s) => `${c[s]} ${s}`)
    .join(', ');
  lines.push(`${sorted.length === 0 ? 'No findings.' : `${sorted.length} finding(s)`}: ${summary}`);
  return lines.join('\n') + '\n';
}
