// File and stdin reading for the edges, with size limits: a hostile or mistaken input (a 50 MB
// file, /dev/zero, a directory) is refused quickly with the file named, never read whole.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { InputError } from '../generators/api/parse.js';
import { withArticle } from '../generators/text/article.js';

export const MAX_PROFILE_BYTES = 1 << 20;        // 1 MiB: a profile is a page of YAML
export const MAX_NODES_BYTES = 16 << 20;         // 16 MiB: `kubectl get nodes -o yaml` of a few thousand nodes

/** Reads a file (or stdin for "-") as UTF-8, refusing anything larger than `limit` bytes. */
export function readInput(path: string, limit: number, what = 'file'): string {
  const label = path === '-' ? '<stdin>' : path;
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(label, code === 'ENOENT' ? `no such ${what}` : code === 'EACCES' ? 'permission denied' : `cannot be opened (${code ?? (e as Error).message})`);
  }
  try {
    if (path !== '-') {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new InputError(label, `is a directory, not ${withArticle(what)}`);
      if (st.isFile() && st.size > limit) throw new InputError(label, `is ${mib(st.size)}, larger than the ${mib(limit)} ${withArticle(what)} may be`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') break;
        throw new InputError(label, `cannot be read (${code ?? (e as Error).message})`);
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw new InputError(label, `is larger than the ${mib(limit)} ${withArticle(what)} may be`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) throw new InputError(label, 'is not UTF-8 text');
    return text;
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

function mib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
