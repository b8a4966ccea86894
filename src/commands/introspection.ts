// introspection commands (being built).

import type { CommandImpls } from './types.js';

export const introspectionCommands: CommandImpls = {};
