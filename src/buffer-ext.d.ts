// Node's Buffer has fast latin1 helpers that @types/node does not declare. Keys and arguments
// are latin1 strings (one char per byte), so these are on the hot path.
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(str: string, offset?: number, length?: number): number;
  }
}
export {};
