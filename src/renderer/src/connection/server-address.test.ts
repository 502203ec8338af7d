/** The server address a person types, and the rule about sending a password over plain http. */
import { describe, expect, it } from 'vitest';
import { login, normalizeServerUrl, register } from './api.js';
import { isLoopbackHost, sendsPasswordInClear, typedAddressIsPlainHttp } from './server-address.js';

describe('normalizeServerUrl', () => {
  it.each([
    ['chat.example.com', 'https://chat.example.com'],
    ['chat.example.com:7070', 'https://chat.example.com:7070'],
    ['  Chat.Example.com/path/  ', 'https://chat.example.com'],
    ['192.168.1.20:7070', 'https://192.168.1.20:7070'],
    ['localhost:7070', 'http://localhost:7070'],
    ['127.0.0.1:7070', 'http://127.0.0.1:7070'],
    ['127.8.9.10', 'http://127.8.9.10'],
    ['[::1]:7070', 'http://[::1]:7070'],
    ['parley.localhost', 'http://parley.localhost'],
    ['http://chat.example.com:7070/', 'http://chat.example.com:7070'],
    ['HTTPS://chat.example.com', 'https://chat.example.com'],
    ['https://localhost:7443', 'https://localhost:7443'],
  ])('%s → %s', (typed, url) => {
    expect(normalizeServerUrl(typed)).toBe(url);
  });

  it('throws on what is no address', () => {
    expect(() => normalizeServerUrl('not a host')).toThrow(TypeError);
  });
});

describe('the plain-http rule', () => {
  it('loopback is this computer: localhost, 127.0.0.0/8 and ::1, nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.255.0.1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['example.com', 'localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('a password crosses the network in clear only to a plain-http server that is not loopback', () => {
    expect(sendsPasswordInClear('http://chat.example.com')).toBe(true);
    expect(sendsPasswordInClear('http://192.168.1.20:7070')).toBe(true);
    expect(sendsPasswordInClear('https://chat.example.com')).toBe(false);
    expect(sendsPasswordInClear('http://127.0.0.1:7070')).toBe(false);
    expect(sendsPasswordInClear('http://[::1]:7070')).toBe(false);
    expect(typedAddressIsPlainHttp('chat.example.com')).toBe(false); // a bare host is https
    expect(typedAddressIsPlainHttp('http://chat.example.com')).toBe(true);
    expect(typedAddressIsPlainHttp('')).toBe(false);
  });

  it('sign-in and sign-up refuse such a server unless the person chose it, before sending anything', async () => {
    // 192.0.2.0/24 is TEST-NET-1: a request there would hang until the timeout, not fail at once.
    const server = 'http://192.0.2.1:7070';
    const refused = await login(server, 'alice', 'alice-password').then(() => undefined, (err: unknown) => err);
    expect(refused).toMatchObject({ code: 'insecure_transport' });
    expect(String(refused)).toContain('192.0.2.1:7070 does not use https');
    await expect(register(server, { username: 'alice', password: 'alice-password', displayName: 'Alice' })).rejects.toMatchObject({ code: 'insecure_transport' });
  });
});
