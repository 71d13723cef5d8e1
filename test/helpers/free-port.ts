/**
 * A TCP port nothing listens on now on 127.0.0.1 (the kernel's choice, released at once): for
 * the servers tests start (Redis).
 *
 *   const port = await freePort();
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
