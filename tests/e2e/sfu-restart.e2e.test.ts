/**
 * A meeting on the SFU survives its server crashing: the real parley-server
 * (a child process, PARLEY_SFU_FROM=3, a real Janus) is SIGKILLed while three
 * Chromium users meet on Janus, and started again on the same port and data
 * dir. Its Janus session goes with it, so the pages' connections to Janus
 * end too; once the server is back it restores the call from the pages'
 * claims, still on the SFU (the call's history row says so): every page is
 * back in the call, publishing to Janus again, with no mesh connection made
 * in between, and hears the two others through it.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { startJanus, type Janus } from '../../signaling-server/test/janus.js';
import { crashScene, type CrashScene } from './crashable-server.js';
import { e2eTest, type User } from './harness.js';
import { expectEveryoneBack, expectSpeaking, joinRoom } from './rooms.js';
import { connections, expectOnSfu } from './sfu-checks.js';
import { banner, eachOf, poll } from './steps.js';

const noJanus = missingTool('janus', 'janus', 'sfu-restart.e2e.test.ts');
const NAMES = ['alice', 'bob', 'carol'] as const;
const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);

let janus: Janus | undefined;
let scene: CrashScene | undefined;
const users: User[] = [];

beforeAll(async () => {
  if (noJanus) return;
  janus = await startJanus();
  scene = await crashScene(NAMES, { PARLEY_JANUS_URL: janus.url, PARLEY_JANUS_ADMIN_KEY: janus.adminKey, PARLEY_SFU_FROM: '3' });
  users.push(...scene.users);
}, 90_000);

afterAll(async () => {
  await scene?.close();
  await janus?.stop();
});

/** Its own server (one it can kill) and browser (crashScene): only the failure pictures are the shared fixtures'. */
const it = e2eTest();

describe.skipIf(noJanus)('a meeting on the SFU across a server crash', () => {
  it('three on Janus, the server SIGKILLed and restarted: every page back in the call, on Janus again, hearing the two others, with no mesh connection', { timeout: 240_000 }, async () => {
    const others = (u: User) => users.filter((o) => o !== u).map((o) => title(o.name));
    for (const u of users) await joinRoom(u, 'standup');
    await eachOf(users, (u) => expectOnSfu(u, 2));

    await scene?.server.kill();
    for (const u of users) await expect.poll(() => banner(u).count(), poll).toBe(1);
    // Record every peer connection made from now on: none may be a mesh one (they would carry the chat channel).
    for (const u of users) {
      await u.page.evaluate(() => {
        const w = window as unknown as { __pcs: RTCPeerConnection[]; __madeAfter: number };
        w.__madeAfter = w.__pcs.length;
      });
    }
    await scene?.server.restart();
    const back = { timeout: 60_000, interval: 200 };
    for (const u of users) {
      await expect.poll(() => banner(u).count(), back).toBe(0);
      await expectEveryoneBack(u, others(u), back);
    }
    await eachOf(users, (u) => expectOnSfu(u, 2));
    await eachOf(users, (u) => expectSpeaking(u, others(u)));
    for (const u of users) {
      const made = await u.page.evaluate(() => {
        const w = window as unknown as { __pcs: RTCPeerConnection[]; __madeAfter: number };
        return w.__pcs.slice(w.__madeAfter).map((pc) => /^m=application/m.test(pc.localDescription?.sdp ?? ''));
      });
      expect(made, `${u.name}'s connections made after the crash carry a chat channel (a mesh one)`).not.toContain(true);
    }
    expect((await connections(users[0]!.page)).length).toBe(2);
  });
});
