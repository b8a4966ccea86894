// The shape of one config parameter. Every Redis 7.0.15 parameter is one entry in entries.ts;
// the config file reader, argv, CONFIG GET/SET/REWRITE and the server all read that one table.

export type ConfigType = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';

export interface ConfigEntry {
  name: string;
  aliases?: readonly string[];
  type: ConfigType;
  /** Default as it would be written in redis.conf (e.g. "yes", "1gb", "noeviction"). */
  default: string;
  /** Cannot be changed with CONFIG SET. */
  immutable?: boolean;
  /** Changeable only when enable-protected-configs allows it. */
  protected?: boolean;
  /** Value is a secret: never logged, redacted where Redis redacts. */
  sensitive?: boolean;
  /** Hidden from CONFIG GET * unless named (Redis's HIDDEN_CONFIG). */
  hidden?: boolean;
  /** A parameter whose behaviour Redoubt does not implement yet: accepted and stored only. */
  notImplemented?: boolean;
  min?: number;
  max?: number;
  /** Enum names, in the order Redis lists them. */
  values?: readonly string[];
  /** Enum accepts several space-separated values (e.g. enable-debug-command is single; bind-source-addr no). */
  multiEnum?: boolean;
  /** For 'int' configs whose value may be given with a percent sign (maxmemory-clients). */
  percent?: boolean;
  /**
   * For 'special' and strings that need a check: returns the normalised stored string or an
   * error message (thrown as { error }). The stored form is what CONFIG GET prints.
   */
  parse?: (raw: readonly string[]) => string | { error: string };
  /** Number of raw arguments a config-file line takes: 1 (default) or 'many'. */
  args?: 'one' | 'many';
}
