/**
 * The two sides of `bench:quality` and of the speech-quality browser test:
 * a network lab (tests/e2e/netns.ts) with side `a` (the sender: Alice) and
 * side `b` (the receiver: Bob), a Parley server on the lab's bridge, and one
 * Chromium per side inside its namespace: Alice's fake microphone plays the
 * tone sequence, Bob's a hum. Calls of two kinds between them: Parley's (Alice calls Bob
 * in the app, as a person does) and the bare pair (bare-pair.ts).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { closeEnded, launchChromium, openUser, registerUser, signIn, startWorld, writeToneWav, type User, type World } from '../../tests/e2e/harness.js';
import { createLab, type Lab } from '../../tests/e2e/netns.js';
import { establishCall, waitState } from '../../tests/e2e/steps.js';
import { chooseNoiseSuppression } from '../denoise/measure.js';
import { startBarePair } from './bare-pair.js';
import { writeToneSequenceWav } from './tone-sequence.js';

export interface LabCalls {
  lab: Lab;
  world: World;
  browsers: { a: Browser; b: Browser };
  alice: User;
  bob: User;
  close(): Promise<void>;
}

/** A call in progress: who sends the measured audio, who receives it, and how to end it. */
export interface OpenCall {
  sender: Page;
  receiver: Page;
  hangUp(): Promise<void>;
}

/** The lab, the server, both browsers and both users signed in. `shared`: the run's shared Chromium, for the server's world (it opens no pages in it). */
export async function startLabCalls(shared?: Browser): Promise<LabCalls> {
  const lab = await createLab(['a', 'b']);
  let world: World | undefined;
  const opened: Browser[] = [];
  try {
    world = await startWorld({ host: lab.gateway, ...(shared && { browser: shared }) });
    for (const name of ['alice', 'bob']) await registerUser(world, name);
    const wav = path.join(world.dataDir, 'tone-sequence.wav');
    writeToneSequenceWav(wav);
    // Bob says something else: were his microphone the same sequence, Alice's echo canceller would
    // find it in what her page plays (Bob's voice) and cut it out of hers. A steady 200 Hz hum, below the sequence's band.
    const hum = path.join(world.dataDir, 'hum.wav');
    writeToneWav(hum, 3, 200);
    const launch = async (side: 'a' | 'b') => {
      const browser = await launchChromium(side === 'a' ? wav : hum, { executablePath: lab.side(side).chromium, args: [`--unsafely-treat-insecure-origin-as-secure=${world!.url}`] });
      opened.push(browser);
      return browser;
    };
    const browsers = { a: await launch('a'), b: await launch('b') };
    // bypassCSP: the recorder's blob: audio worklet (page-audio.ts).
    const alice = await openUser(world, 'alice', { browser: browsers.a, bypassCSP: true });
    const bob = await openUser(world, 'bob', { browser: browsers.b, bypassCSP: true });
    await signIn(alice);
    await signIn(bob);
    // As the bare pair opens its microphone (bare-pair.ts): the calls differ only in their connection.
    await chooseNoiseSuppression(alice.page, 'off');
    const w = world;
    return {
      lab,
      world: w,
      browsers,
      alice,
      bob,
      async close() {
        for (const b of opened) await b.close().catch(() => undefined);
        await lab.close();
        await w.close().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const b of opened) await b.close().catch(() => undefined);
    await lab.close();
    await world?.close().catch(() => undefined);
    throw err;
  }
}

/** Alice calls Bob in Parley (a video call with `video`), Bob answers, both hear each other. */
export async function parleyCall(calls: LabCalls, video: boolean): Promise<OpenCall> {
  const { alice, bob } = calls;
  if (video) {
    await alice.page.getByRole('button', { name: 'Contacts' }).click();
    await alice.page.getByRole('button', { name: 'Video call Bob', exact: true }).click();
    await waitState(bob.page, 'incoming');
    await bob.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await waitState(alice.page, 'active');
    await waitState(bob.page, 'active');
  } else {
    await establishCall(alice, bob, 'Bob');
  }
  return {
    sender: alice.page,
    receiver: bob.page,
    async hangUp() {
      await alice.page.getByRole('button', { name: 'Hang up' }).click();
      await Promise.all([waitState(alice.page, 'ended'), waitState(bob.page, 'ended')]);
      await closeEnded(alice, bob);
    },
  };
}

/** The bare pair between the same two browsers. */
export async function bareCall(calls: LabCalls, video: boolean): Promise<OpenCall> {
  const pair = await startBarePair(calls.browsers.a, calls.browsers.b, calls.world.url, video);
  return { sender: pair.sender, receiver: pair.receiver, hangUp: () => pair.close() };
}
