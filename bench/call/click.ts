/**
 * A click as a person makes it, for the call benchmark's stopwatch, which
 * starts at the click event's own timestamp (the button's release).
 * Playwright's click sends the pointer's move, press and release at once, so
 * the page handled the hover and the press (and Playwright's own check of
 * what is under the pointer) after the release had arrived: on Parley's page
 * about 2 ms of the time to ring, on the bare page a fraction of that. A
 * person's pointer is over the button well before the release; here it
 * rests there, presses, and releases a moment later, in Parley's page and
 * the bare one alike.
 */
import type { Locator } from 'playwright-core';

/** How long the pointer rests on the button, and the button stays pressed: about a person's. */
const REST_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function personClick(button: Locator): Promise<void> {
  await button.hover();
  await sleep(REST_MS);
  const mouse = button.page().mouse;
  await mouse.down();
  await sleep(REST_MS);
  await mouse.up();
}
