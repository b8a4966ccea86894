// Start-up stopped by a problem the server already explained in its log, in Redis's words (a
// damaged AOF, an unusable manifest): the entry point exits without repeating it.

export class StartupFailure extends Error {}
