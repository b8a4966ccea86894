// The shape of one config parameter. Every Redis 7.0.15 parameter is one entry in entries.ts;
// the config file reader, argv, CONFIG GET/SET/REWRITE and the server all read that one table.
//
// Values are kept in the form CONFIG GET prints them ("the GET form"): numbers in decimal
// (octal for unixsocketperm, "N%" for a percentage), enums by name, special configs in their
// canonical multi-word form.

/** int covers every numeric config (Redis's int/uint/long/long long/size_t/... configs). */
export type ConfigType = 'bool' | 'int' | 'enum' | 'string' | 'special';

export interface NumericSpec {
  /** Bounds are compared as unsigned 64-bit values (Redis's unsigned int, unsigned long long, size_t). */
  unsigned?: boolean;
  /** Accepts memory units (1gb, 64mb...). */
  memory?: boolean;
  /** Accepts "N%" (stored negative internally, printed back as "N%"). */
  percent?: boolean;
  /** Written and read in octal (unixsocketperm). */
  octal?: boolean;
  min: bigint;
  max: bigint;
}

/** What CONFIG REWRITE offers each config: replace or append a line, or drop old lines. */
export interface RewriteSink {
  /** Rewrites one line for `option`; `force` appends it even if the file had none. */
  line(option: string, line: string, force: boolean): void;
  /** Marks the option handled so that its remaining old lines are blanked. */
  processed(option: string): void;
}

export interface SpecialContext {
  /** True while a config file, argv or start-up options are read (not CONFIG SET). */
  reading: boolean;
  /** A `save` line was already read during this load (later ones append). */
  saveLoaded: boolean;
  /** The current GET form (configs that update only part of their value). */
  current: string;
  /** Whether `dir` changes the process working directory. */
  chdir: boolean;
}

export interface SpecialCodec {
  /** Validates arguments and returns the new GET form. Pure: no side effects. */
  parse(args: readonly string[], ctx: SpecialContext): string | { error: string };
  /** The side effect of setting (dir: chdir). Returns an error text or null. */
  commit?(value: string, ctx: SpecialContext): string | null;
  /** The GET form when it is not the stored string (dir: the working directory). */
  read?(stored: string, ctx: SpecialContext): string;
  /** Lines for CONFIG REWRITE. */
  rewrite(value: string, name: string, sink: RewriteSink): void;
  /** Like Redis's set() returning "no change": apply hooks are skipped when the value is unchanged. */
  reportsNoChange?: boolean;
}

export interface ConfigEntry {
  name: string;
  /** Other names (Redis has at most one alias per config, e.g. slaveof for replicaof). */
  aliases?: readonly string[];
  type: ConfigType;
  /** Default in the GET form. */
  default: string;
  /** Cannot be changed with CONFIG SET. */
  immutable?: boolean;
  /** Changeable only when enable-protected-configs allows it. */
  protected?: boolean;
  /** Value is a secret: never logged, redacted where Redis redacts. */
  sensitive?: boolean;
  /** Hidden from CONFIG GET patterns; only an exact name shows it (Redis's HIDDEN_CONFIG). */
  hidden?: boolean;
  /** Listed by DEBUG CONFIG-REWRITE-FORCE-ALL style debug output (Redis's DEBUG_CONFIG). */
  debug?: boolean;
  /** Refused by CONFIG SET while a dataset loads (Redis's DENY_LOADING_CONFIG). */
  denyLoading?: boolean;
  /** Takes several arguments (save, bind, client-output-buffer-limit...). */
  multiArg?: boolean;
  /** Apply hooks run on every set even when the value did not change (TLS file paths). */
  volatile?: boolean;
  /** A parameter whose behaviour Redoubt does not implement yet: accepted and stored only. */
  notImplemented?: boolean;
  numeric?: NumericSpec;
  /** Enum names and values, in Redis's order (values are bit flags for multiArg enums). */
  values?: readonly (readonly [string, number])[];
  /**
   * String configs: an empty string means "unset" (NULL in Redis): such a config has no
   * default value, is not rewritten while unset, and is rewritten whenever set.
   */
  emptyIsNull?: boolean;
  /** Extra validation (Redis's is_valid_fn) on the parsed value; returns an error text. */
  validate?: (value: string) => string | null;
  /** Post-processing of a valid numeric value (hz is clamped to 1..500). */
  clamp?: (value: bigint) => bigint;
  special?: SpecialCodec;
}
