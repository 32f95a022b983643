// The probe and metrics endpoints: /healthz and /readyz on --health-probe-bind-address,
// /metrics on --metrics-bind-address (controller-runtime's defaults :8081 and :8080; "0" turns
// one off, as in controller-runtime).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface BindAddress { host: string | undefined; port: number }

/** Parses ":8080", "127.0.0.1:8080", "[::1]:8080" or "0" (disabled → null). */
export function parseBindAddress(value: string, flag: string): BindAddress | null {
  if (value === '0') return null;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  if (!m) throw new Error(`--${flag} "${value.slice(0, 60)}" is not HOST:PORT or :PORT (use "0" to turn it off)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--${flag} port ${port} is above 65535`);
  return { host: m[1] ?? (m[2] || undefined), port };
}

export interface Endpoints {
  healthz(): { ok: boolean; detail: string };
  readyz(): { ok: boolean; detail: string };
  registry: Registry;
}

export async function listen(addr: BindAddress, handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => { server.off('error', reject); resolve(); });
  });
  return server;
}

export function probeHandler(e: Endpoints): Parameters<typeof createServer>[1] {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const check = path === '/healthz' || path === '/livez' ? e.healthz() : path === '/readyz' ? e.readyz() : null;
    if (!check) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return; }
    res.writeHead(check.ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${check.ok ? 'ok' : 'not ok'}: ${check.detail}\n`);
  };
}

export function metricsHandler(registry: Registry): Parameters<typeof createServer>[1] {
  return (req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return; }
    registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text), (err) => res.writeHead(500).end(String(err)));
  };
}

export function boundPort(server: Server): number { return (server.address() as AddressInfo).port; }
