/**
 * This window's device id, sent in the handshake so the server binds calls to
 * the window rather than to one connection: after a reconnect the call is
 * still this device's. Kept in sessionStorage, so a reload or a reconnect
 * keeps it while another tab (or window) gets its own.
 */
const KEY = 'parley.device.v1';
const VALID = /^[A-Za-z0-9_-]{8,64}$/;

const fresh = (): string => crypto.randomUUID().replaceAll('-', '');

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled
  }
}

export function deviceId(): string {
  const stored = storage()?.getItem(KEY);
  if (stored && VALID.test(stored)) return stored;
  return renewDeviceId();
}

/** A new id: this window was copied (a duplicated tab carries the same sessionStorage). */
export function renewDeviceId(): string {
  const id = fresh();
  storage()?.setItem(KEY, id);
  return id;
}
