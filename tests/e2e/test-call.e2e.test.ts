/**
 * Settings → Network in Chromium, against a server with the echo test call
 * on and two TURN servers (coturn on loopback): one shares the server's
 * secret, the other has another. The test call plays the fake microphone's
 * tone back (the page receives it, level above silence), and the report
 * names the path (direct, host to host, on loopback), the relay the first
 * TURN gave and the refusal of the second. Screenshots of the report in
 * every look.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { missingTool, startCoturn, type Coturn } from '../../signaling-server/test/coturn.js';
import { e2eTest, inboundAudio } from './harness.js';
import { poll } from './steps.js';
import { axeScan, checkLayout, eachLook, shoot } from './ui-checks.js';

const SECRET = 'the-secret-parley-and-good-turn-share';

/** A coturn for the file, stopped after it. */
async function coturnFor(secret: string, onCleanup: (stop: () => void) => void): Promise<Coturn> {
  const started = await startCoturn(secret);
  onCleanup(() => started.stop());
  return started;
}

const it = e2eTest({ team: ['alice', 'bob'] })
  // One coturn sharing the server's TURN secret, and one that does not.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its destructuring
  .extend('good', { scope: 'file' }, ({}, { onCleanup }) => coturnFor(SECRET, onCleanup))
  // eslint-disable-next-line no-empty-pattern -- as above
  .extend('wrong', { scope: 'file' }, ({}, { onCleanup }) => coturnFor('a-different-secret-than-parley-has', onCleanup))
  .extend('worldOptions', { scope: 'file' }, ({ good, wrong }) => ({
    testCall: 'on' as const,
    ice: { turnUrls: [`turn:127.0.0.1:${good.port}?transport=udp`, `turn:127.0.0.1:${wrong.port}?transport=udp`], turnSecret: SECRET },
  }));

const report = (page: Page) => page.getByRole('region', { name: 'Network report' });

async function openNetwork(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).first().click();
  await page.getByRole('group', { name: 'Network' }).scrollIntoViewIfNeeded();
}

describe.skipIf(missingTool('turnserver', 'coturn', 'test-call.e2e.test.ts'))('test call and network check', () => {
  it('the test call plays the microphone back and the report names the path and each TURN server’s answer', async ({ team: { alice }, good, wrong }) => {
    const { page } = alice;
    await openNetwork(page);
    await page.getByRole('button', { name: 'Test call' }).click();
    await expect.poll(() => page.getByText('Say something').count(), { ...poll, timeout: 40_000 }).toBe(1);
    // The echo: audio from the server, loud enough to be the tone (silence reports about 3e-5).
    await expect.poll(async () => (await inboundAudio(page))?.audioLevel ?? 0, poll).toBeGreaterThan(0.01);
    await expect(report(page).waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    const text = (await report(page).textContent()) ?? '';
    expect(text).toContain('direct (host to host)');
    expect(text).toContain('your voice came back');
    expect(text).toMatch(/Round trip\s*\d+ ms/);
    expect(text).toMatch(/Loss\s*[\d.]+ % on the way to the server, [\d.]+ % on the way back/);
    // On loopback nothing is lost: the speech to expect is clear.
    expect(text).toMatch(/Speech\s*clear/);
    expect(text).toMatch(new RegExp(`TURN at turn:127\\.0\\.0\\.1:${good.port} gave a relay candidate \\(127\\.0\\.0\\.1:\\d+\\)`));
    expect(text).toContain(`TURN at turn:127.0.0.1:${wrong.port} refused the credentials (401)`);
    expect(text).toContain('Calls may fail');
    // The microphone and the connection are closed after the test.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed').length), poll)
      .toBe(0);

    await eachLook(page, async (label) => {
      await report(page).scrollIntoViewIfNeeded();
      await shoot(page, `network-report-${label}`);
      await checkLayout(page);
      await axeScan(page, `network report ${label}`);
    });
  }, 120_000);

  it('Check my network runs without the echo', async ({ team: { alice } }) => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Check my network' }).click();
    // The test call's report goes at once (the check is running), and a new one without a path comes.
    await expect.poll(async () => ((await report(page).count()) === 1 ? await report(page).textContent() : ''), poll).toMatch(/^(?![\s\S]*Path)[\s\S]*TURN/);
    const text = (await report(page).textContent()) ?? '';
    expect(text).not.toContain('Echo');
    expect(text).toContain(`refused the credentials (401)`);
    expect(text).toContain('gave a relay candidate');
  }, 60_000);
});
