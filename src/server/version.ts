// The versions Redoubt reports. Clients gate features on redis_version, so it is pinned to the
// Redis release whose behaviour Redoubt reproduces.
export const REDIS_VERSION = '7.0.15';
export const REDOUBT_VERSION = '0.1.0';
