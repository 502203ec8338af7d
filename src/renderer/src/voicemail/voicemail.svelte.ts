/**
 * Voicemail's part of the app, made by the composition root: the server's
 * endpoints, the user's messages, and the offer to leave one after an
 * unanswered call. The recorder and the screens load only when opened
 * (screens/voicemail/), so none of them is in the first paint's code.
 */
import type { VoicemailMessage } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { VoicemailInbox } from './inbox.svelte.js';
import { VoicemailOffer, type OfferSource } from './offer.svelte.js';
import { VoicemailApi, type VoicemailSession } from './voicemail-api.js';

export interface VoicemailDeps {
  link: SignalingLink;
  session(): VoicemailSession | null;
  /** A message arrived while connected. */
  arrived(message: VoicemailMessage): void;
}

export class Voicemail {
  readonly api: VoicemailApi;
  readonly inbox: VoicemailInbox;
  readonly offer = new VoicemailOffer();

  constructor(deps: VoicemailDeps) {
    this.api = new VoicemailApi(() => deps.session());
    this.inbox = new VoicemailInbox({ api: this.api, link: deps.link, arrived: (message) => deps.arrived(message) });
  }

  /** Hears of new messages and follows the calls for the offer, until dispose(). */
  start(calls: OfferSource): void {
    this.inbox.start();
    this.offer.watch(calls);
  }

  clear(): void {
    this.inbox.clear();
    this.offer.dismiss();
  }

  dispose(): void {
    this.inbox.dispose();
    this.offer.dispose();
  }
}
