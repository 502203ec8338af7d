/**
 * Who may read /metrics from the server itself: only the exact path, and
 * with PARLEY_METRICS_TOKEN only with that token (deploy-kit.test.ts runs
 * the nginx example in front of it).
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from './harness.js';

const TOKEN = 'a-metrics-token-for-the-test';

describe('/metrics', () => {
  it('is answered at exactly /metrics: /metrics/ and /METRICS are not found', async () => {
    const server = await startTestServer();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    for (const variant of ['/metrics/', '/METRICS', '/Metrics', '/METRICS/']) {
      const res = await fetch(`${server.url}${variant}`);
      expect(res.status, variant).toBe(404);
      const body = await res.text();
      expect(JSON.parse(body), variant).toMatchObject({ code: 'not_found' });
      expect(body, variant).not.toContain('parley_');
    }
  });

  it('with PARLEY_METRICS_TOKEN answers only "Authorization: Bearer <token>", and 401 otherwise', async () => {
    const server = await startTestServer({ metricsToken: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, TOKEN, 'Bearer ']) {
      const res = await fetch(`${server.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate'), authorization).toMatch(/^Bearer/);
      const body = await res.text();
      expect(JSON.parse(body), authorization).toMatchObject({ code: 'unauthorized' });
      expect(body).not.toContain('parley_');
    }
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).toContain('parley_connected_sessions');
    // The refusals were counted like any other.
    expect(text).toMatch(/^parley_rejected_messages_total\{code="unauthorized"\} 6$/m);
  });
});
