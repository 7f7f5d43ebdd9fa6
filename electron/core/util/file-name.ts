// A file name derived from an id (instance ids name log, pid and key files).
export function safeFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'instance';
}
