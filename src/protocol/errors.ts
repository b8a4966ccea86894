// Every fixed error string Redoubt sends lives here, worded as Redis 7.0.15 words it.
// Errors are written without the leading '-' and trailing CRLF; the reply writer adds them.
// A message that does not start with an upper-case code word gets "ERR " in front.

export const E = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  noAuth: 'NOAUTH Authentication required.',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  noReplicas: 'NOREPLICAS Not enough good replicas to write.',
  loading: 'LOADING Redis is loading the dataset in memory',
  readonlyReplica: "READONLY You can't write against a read only replica.",
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  incrOverflow: 'ERR increment or decrement would overflow',
  incrFloatNaN: 'ERR increment would produce NaN or Infinity',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  multiNotAllowed: 'ERR Command not allowed inside a transaction',
  selectNotAllowedInCluster: 'ERR SELECT is not allowed in cluster mode',
  protoInvalidMultibulk: 'ERR Protocol error: invalid multibulk length',
  protoInvalidBulk: 'ERR Protocol error: invalid bulk length',
  protoUnauthMultibulk: 'ERR Protocol error: unauthenticated multibulk length',
  protoUnauthBulk: 'ERR Protocol error: unauthenticated bulk length',
  protoBigInline: 'ERR Protocol error: too big inline request',
  protoBigMbulkCount: 'ERR Protocol error: too big mbulk count string',
  protoBigBulkCount: 'ERR Protocol error: too big bulk count string',
  protoUnbalancedQuotes: 'ERR Protocol error: unbalanced quotes in request',
} as const;

/** Redis replaces CR and LF in error text with spaces so that user input cannot break the protocol. */
export function sanitizeError(msg: string): string {
  return /[\r\n]/.test(msg) ? msg.replace(/[\r\n]/g, ' ') : msg;
}

/** Prefixes "ERR " unless the message already starts with an error code (upper-case word). */
export function withCode(msg: string): string {
  const sp = msg.indexOf(' ');
  const head = sp < 0 ? msg : msg.slice(0, sp);
  return head.length > 0 && /^[A-Z][A-Z_]*$/.test(head) ? msg : 'ERR ' + msg;
}

export function protoExpectedDollar(ch: string): string {
  return `ERR Protocol error: expected '$', got '${ch}'`;
}

export function arityError(fullname: string): string {
  return `ERR wrong number of arguments for '${fullname}' command`;
}

export function unknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return sanitizeError(`ERR unknown command '${argv[0]!.slice(0, 128)}', with args beginning with: ${args}`);
}

export function unknownSubcommand(container: string, sub: string): string {
  return sanitizeError(`ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`);
}

export function invalidExpireTime(cmd: string): string {
  return `ERR invalid expire time in '${cmd}' command`;
}

export function errorCode(msg: string): string {
  const sp = msg.indexOf(' ');
  const head = sp < 0 ? msg : msg.slice(0, sp);
  return /^[A-Z][A-Z_]*$/.test(head) && head.length <= 32 ? head : 'ERR';
}
