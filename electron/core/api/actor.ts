// Who made an admin request, as the audit log names it (`admin` or `key:<id>`): set once by the server
// after authentication, read by the routes that write their own audit entries.
import type { IncomingMessage } from 'node:http';

const actors = new WeakMap<IncomingMessage, string>();

export function setActor(req: IncomingMessage, actor: string): void {
  actors.set(req, actor);
}

export function actorOf(req: IncomingMessage): string {
  return actors.get(req) ?? 'admin';
}
