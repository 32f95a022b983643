// Structured JSON logs, one object per line on stderr (what log collectors of a cluster expect).
// The clock is injected so tests can read logs without timestamps drifting.

export type Level = 'debug' | 'info' | 'error';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  with(fields: Record<string, unknown>): Logger;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l), base: Record<string, unknown> = {}, now: () => Date = () => new Date(), verbose = false): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (level === 'debug' && !verbose) return;
    const entry: Record<string, unknown> = { ts: now().toISOString(), level, logger: 'netprofile-operator', msg, ...base, ...fields };
    for (const [k, v] of Object.entries(entry)) if (v instanceof Error) entry[k] = v.message;
    write(JSON.stringify(entry) + '\n');
  };
  return {
    info: (m, f) => emit('info', m, f),
    error: (m, f) => emit('error', m, f),
    debug: (m, f) => emit('debug', m, f),
    with: (f) => jsonLogger(write, { ...base, ...f }, now, verbose),
  };
}

/** A logger that keeps the entries (tests). */
export function memoryLogger(): Logger & { entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const l = jsonLogger((line) => entries.push(JSON.parse(line)), {}, () => new Date(0), true);
  return Object.assign(l, { entries });
}
