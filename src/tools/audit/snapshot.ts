// The normalized view of a deployment that every check reads: filled by the config-file
// source, the live-server source, or both (merged). A field left null means "not known from
// the sources given", and checks then skip rather than pass.

import type { Finding } from './findings.js';

/** Where a user's rules were read from. */
export type UserOrigin = 'live' | 'aclfile' | 'config' | 'implicit';

export interface UserRules {
  readonly name: string;
  /** The rules after the user name, as ACL LIST or the file line gives them. */
  readonly rules: readonly string[];
  readonly origin: UserOrigin;
  /** Clear-text passwords (`>pass` rules) found in a file: checked for strength, never printed. */
  readonly plaintext: readonly string[];
}

export interface FileInfo {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface CertInfo {
  /** Where the certificate came from: a config file path or "peer certificate". */
  readonly source: string;
  readonly subject: string;
  readonly notAfter: Date;
}

export interface AclLogEntry {
  readonly reason: string;
  readonly username: string;
  readonly count: number;
  readonly ageSeconds: number;
  readonly clientInfo: string;
}

export interface Snapshot {
  /** Configuration parameters by lower-case name, as CONFIG GET prints them. */
  config: Map<string, string> | null;
  /** Names set explicitly in a config file (unknown for a live server). */
  explicit: Set<string> | null;
  users: UserRules[] | null;
  /** rename-command pairs read from a config file ([old, new], new "" removes). */
  renames: [string, string][] | null;
  /** Original command names the live server still serves (COMMAND LIST). */
  commandList: Set<string> | null;
  /** Commands known to fail with "unknown command" on the live server (renamed away). */
  unknownCommands: Set<string>;
  aclLog: AclLogEntry[] | null;
  /** INFO fields (all sections) by name. */
  info: Map<string, string> | null;
  /** Stat results of files named by the configuration, by path; absent = not examined. */
  files: Map<string, FileInfo | 'missing' | 'unreadable'>;
  /** The config file given with --config, when there is one. */
  configFile: string | null;
  /** The server process's uid when it could be read (local live server). */
  processUid: number | null;
  certs: CertInfo[];
  /** Findings produced while gathering (a source could not be read, ...). */
  notes: Finding[];
}

export function emptySnapshot(): Snapshot {
  return {
    config: null,
    explicit: null,
    users: null,
    renames: null,
    commandList: null,
    unknownCommands: new Set(),
    aclLog: null,
    info: null,
    files: new Map(),
    configFile: null,
    processUid: null,
    certs: [],
    notes: [],
  };
}

/** A config value, or undefined when the configuration is not known. */
export function cfg(s: Snapshot, name: string): string | undefined {
  return s.config?.get(name);
}

/**
 * Merges the file snapshot into the live one: runtime state (config values, users, commands,
 * log) comes from the live server; file facts (permissions, renames, clear-text rules) from
 * the file.
 */
export function mergeSnapshots(file: Snapshot, live: Snapshot): Snapshot {
  const config = new Map(file.config ?? []);
  for (const [k, v] of live.config ?? []) config.set(k, v);
  const files = new Map(live.files);
  for (const [k, v] of file.files) files.set(k, v);
  return {
    config: file.config === null && live.config === null ? null : config,
    explicit: file.explicit,
    users: mergeUsers(file.users, live.users),
    renames: file.renames,
    commandList: live.commandList,
    unknownCommands: live.unknownCommands,
    aclLog: live.aclLog,
    info: live.info,
    files,
    configFile: file.configFile,
    processUid: live.processUid,
    certs: [...file.certs, ...live.certs.filter((c) => !file.certs.some((f) => f.source === c.source))],
    notes: [...file.notes, ...live.notes],
  };
}

/** Live users win; clear-text passwords seen in the file are kept for the hashing checks. */
function mergeUsers(file: UserRules[] | null, live: UserRules[] | null): UserRules[] | null {
  if (live === null) return file;
  if (file === null) return live;
  return live.map((u) => {
    const f = file.find((x) => x.name === u.name);
    return f === undefined || f.plaintext.length === 0 ? u : { ...u, plaintext: f.plaintext };
  });
}
