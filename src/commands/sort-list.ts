// The list side of SORT: reading a list value's elements in order, and building the list
// that SORT ... STORE writes.

import { ListValue } from '../store/list.js';

/** The elements of a list value, head to tail. */
export function listItems(value: unknown): string[] {
  return (value as ListValue).toArray();
}

/** Length of a list value without copying it. */
export function listLength(value: unknown): number {
  return (value as ListValue).length;
}

/** Element i (0 = head) of a list value. */
export function listAt(value: unknown, i: number): string {
  return (value as ListValue).at(i);
}

/** A new list value holding items, head to tail. */
export function listFromItems(items: string[]): ListValue {
  return new ListValue(items);
}
