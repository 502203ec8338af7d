/**
 * One device on the SFU: a VideoRoom publisher handle for the media it
 * sends, and one multistream subscriber handle for everyone else's, kept up
 * to date as others start and stop publishing. JSEP goes between the device
 * (`sfu:*` messages) and Janus through here; Janus's own messages never
 * reach the device.
 */
import type { Jsep } from 'janode';
import type { Publisher, VideoRoomHandle, VideoRoomStream } from 'janode/plugins/videoroom';
import { Janode, VideoRoomPlugin } from './janode-modules.js';
import type { Logger } from '../logger.js';
import { usernameSchema, type IceCandidate, type SfuConnection, type SfuDescription, type SfuStream, type SfuVideoLayer } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { janusCode, JANUS_NO_SUCH_ROOM, type JanusGateway, type SfuRoom } from './janus-gateway.js';
import { TalkingFeeds, type TalkingReport } from './talking.js';
import { LayerSwitches } from './layer-switches.js';
import { SCREEN_DESCRIPTION, stillApplied, trackKey, viewChanges, type FeedView, type StreamSetting } from './view.js';

export interface ParticipantDeps {
  gateway: JanusGateway;
  log: Logger;
  /** A new description of the device's `subscribe` connection. */
  offer: (description: SfuDescription<'offer'>, streams: SfuStream[]) => void;
  /** Janus dropped one of this device's handles: the device must publish again. */
  dropped: () => void;
  /** Another publisher in the room started or stopped talking (Janus's talking events, changes only). */
  talking: TalkingReport;
}

export class SfuParticipant {
  private publisher: VideoRoomHandle | undefined;
  private subscriber: VideoRoomHandle | undefined;
  /** Publishers' streams asked for on the subscriber handle, as `feed/mid` (Janus drops those that leave by itself: autoupdate). */
  private readonly subscribed = new Set<string>();
  /** Subscriber requests in order: Janus takes one renegotiation of a handle at a time. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly talking: TalkingFeeds;
  /** The subscription's streams, as of Janus's latest offer. */
  private streams: readonly VideoRoomStream[] = [];
  /** The device's view (`sfu:view`): what it wants of each publisher's camera and screen, by username. */
  private view = new Map<string, FeedView>();
  /** The publishes in flight, one after another. */
  private publishing: Promise<unknown> = Promise.resolve();
  /** The layer each received video track was last set to on the subscriber handle (view.ts keys). */
  private applied = new Map<string, SfuVideoLayer>();
  /** Layer changes Janus has not yet made (a keyframe it asked for may never come): asked for again. */
  private readonly switches = new LayerSwitches((settings) => this.askAgain(settings));

  constructor(
    readonly callId: string,
    readonly username: string,
    readonly room: SfuRoom,
    private readonly deps: ParticipantDeps,
  ) {
    this.talking = new TalkingFeeds((username, talking) => {
      if (!this.closed) deps.talking(username, talking);
    });
  }

  /** This device's feed in the room (Janus's publisher id) while it is joined. */
  get feed(): number | string | undefined {
    return this.publisher?.feed ?? undefined;
  }

  /** The Janus this device's room is on. */
  get gateway(): JanusGateway {
    return this.deps.gateway;
  }

  /**
   * Publishes the device's offer (first time: joins the room) and returns
   * Janus's answer. The m-line `screenMid` names is described to Janus as the
   * screen, which the others' subscriptions then say (`SfuStream.source`).
   */
  publish(offer: SfuDescription<'offer'>, screenMid?: string): Promise<SfuDescription<'answer'>> {
    // One at a time: two first publishes at once would each attach a handle, and one would be left in the room.
    const run = this.publishing.then(() => this.publishNow(offer, screenMid));
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private async publishNow(offer: SfuDescription<'offer'>, screenMid?: string): Promise<SfuDescription<'answer'>> {
    const descriptions = screenMid === undefined ? undefined : [{ mid: screenMid, description: SCREEN_DESCRIPTION }];
    if (this.left()) throw leftWhilePublishing();
    if (this.publisher) return answerOf((await this.publisher.configure({ jsep: { ...offer }, descriptions })).jsep);
    const handle = await this.deps.gateway.attach();
    // Closed while attaching (a hang-up): close() could not see this handle, so it goes here.
    if (this.left()) {
      await handle.detach().catch(() => undefined);
      throw leftWhilePublishing();
    }
    this.publisher = handle;
    this.watchPublisher(handle);
    const join = () => handle.joinConfigurePublisher({ room: this.room.id, pin: this.room.pin, display: this.username, descriptions, jsep: { ...offer } });
    try {
      await this.deps.gateway.ensureRoom(this.room);
      // The room may have been destroyed by its last participant leaving on another node just now.
      const joined = await join().catch(async (err: unknown) => {
        if (janusCode(err) !== JANUS_NO_SUCH_ROOM) throw err;
        await this.deps.gateway.ensureRoom(this.room);
        return join();
      });
      if (this.left()) throw leftWhilePublishing();
      this.talking.known(joined.publishers);
      this.subscribeTo(joined.publishers);
      return answerOf(joined.jsep);
    } catch (err) {
      // Nothing half-joined stays in the room: the next publish starts afresh.
      if (this.publisher === handle) this.publisher = undefined;
      await handle.detach().catch(() => undefined);
      throw err;
    }
  }

  /** The device's answer to the latest `sfu:offer`. */
  async answer(answer: SfuDescription<'answer'>): Promise<void> {
    const handle = this.subscriber;
    if (!handle) throw new RequestError('bad_request', 'sfu:answer: there is no offer to answer');
    await handle.start({ jsep: { ...answer } });
  }

  /** The device's whole view (`sfu:view`): applied now, and to every subscription that follows. */
  setView(feeds: readonly ({ username: string } & FeedView)[]): Promise<void> {
    this.view = new Map(feeds.map((f) => [f.username, { video: f.video, screen: f.screen }]));
    return this.applyView();
  }

  async candidate(connection: SfuConnection, candidate: IceCandidate): Promise<void> {
    const handle = connection === 'publish' ? this.publisher : this.subscriber;
    if (!handle) throw new RequestError('bad_request', `sfu:candidate: the ${connection} connection has not been negotiated`);
    await handle.trickle(candidate && { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null });
  }

  /** Leaves the room: both handles are detached (Janus tells the others, whose subscriptions drop this feed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.switches.close();
    const handles = this.handles();
    this.publisher = this.subscriber = undefined;
    await Promise.all(handles.map((h) => h.detach().catch(() => undefined)));
  }

  /** The Janus handles this device holds now (what a sweep must leave alone). */
  handles(): VideoRoomHandle[] {
    return [this.publisher, this.subscriber].filter((h): h is VideoRoomHandle => h !== undefined);
  }

  /** Read after an await: close() may have run meanwhile. */
  private left(): boolean {
    return this.closed;
  }

  private watchPublisher(handle: VideoRoomHandle): void {
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_PUB_LIST, (e: { publishers: Publisher[] }) => {
      this.talking.known(e.publishers);
      this.subscribeTo(e.publishers);
    });
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_TALKING, (e: { feed: number | string; talking: boolean }) => this.talking.changed(e.feed, e.talking));
    const gone = (e: { feed: number | string }) => {
      for (const key of this.subscribed) if (key.startsWith(`${String(e.feed)}/`)) this.subscribed.delete(key);
      this.talking.gone(e.feed);
    };
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_UNPUBLISHED, gone);
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_LEAVING, gone);
    this.watchDrop(handle, 'publish');
  }

  private watchSubscriber(handle: VideoRoomHandle): void {
    // A publisher left: Janus renegotiates by itself (autoupdate) and this is its new offer.
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_UPDATED, (e: { jsep?: Jsep; streams?: VideoRoomStream[] }) => this.sendOffer(e.jsep, e.streams));
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_SC_SUBSTREAM_LAYER, (e: { mid?: string; sc_substream_layer: number }) => this.switches.switched(e.mid, e.sc_substream_layer));
    this.watchDrop(handle, 'subscribe');
  }

  private watchDrop(handle: VideoRoomHandle, connection: SfuConnection): void {
    handle.once(Janode.EVENT.HANDLE_DETACHED, () => {
      // A handle this participant let go of itself (closed, or a publish that failed) was not dropped by
      // Janus: the failed publish's caller takes the device off and the room down with it.
      if (this.closed || (handle !== this.publisher && handle !== this.subscriber)) return;
      this.deps.log.warn({ callId: this.callId, username: this.username, connection }, 'SFU handle detached by Janus');
      this.deps.dropped();
    });
  }

  /**
   * Adds publishers' new streams to this device's subscription (makes it on
   * the first): a publisher who just came, or one who added a stream (a
   * shared screen) by publishing again.
   */
  private subscribeTo(publishers: readonly Publisher[]): void {
    const streams = publishers.flatMap(newStreams(this.subscribed));
    if (streams.length === 0 || this.closed) return;
    const keys = streams.map(streamKey);
    for (const k of keys) this.subscribed.add(k);
    this.queue = this.queue
      .then(async () => {
        if (this.closed) return;
        if (this.subscriber) {
          const updated = await this.subscriber.update({ subscribe: streams });
          this.sendOffer(updated.jsep, updated.streams);
          return;
        }
        const handle = await this.deps.gateway.attach();
        if (this.left()) return void handle.detach().catch(() => undefined);
        this.subscriber = handle;
        this.watchSubscriber(handle);
        const joined = await handle.joinSubscriber({ room: this.room.id, pin: this.room.pin, streams, autoupdate: true });
        this.sendOffer(joined.jsep, joined.streams);
      })
      .catch((err: unknown) => {
        // A publisher that left meanwhile is refused; the next change brings a fresh offer anyway.
        for (const k of keys) this.subscribed.delete(k);
        this.deps.log.warn({ err, callId: this.callId, username: this.username }, 'SFU subscription update failed');
      });
  }

  /**
   * Tells Janus what changed between the view and what its subscriber handle
   * relays (in the handle's queue: after the subscription it applies to).
   * A stream newly subscribed starts at Janus's default, so this runs after
   * every new offer too.
   */
  private applyView(): Promise<void> {
    const run = this.queue.then(async () => {
      const handle = this.subscriber;
      const changes = viewChanges(this.streams, this.view, this.applied);
      if (!handle || this.closed || changes.length === 0) return;
      // Watched from before it is sent: Janus may report a switch before it answers.
      this.switches.asked(changes);
      await handle.configure({ streams: changes.map((c) => c.setting) });
      for (const c of changes) this.applied.set(c.key, c.layer);
      this.deps.log.debug({ callId: this.callId, username: this.username, layers: changes.map((c) => `${c.key} ${c.layer}`) }, 'SFU view applied');
    });
    this.queue = run.catch((err: unknown) => this.deps.log.warn({ err, callId: this.callId, username: this.username }, 'SFU view not applied'));
    return run;
  }

  /** Layer changes not yet made, sent again: Janus asks the publisher for a keyframe again. */
  private askAgain(settings: StreamSetting[]): void {
    this.queue = this.queue
      .then(async () => {
        if (!this.subscriber || this.closed) return;
        await this.subscriber.configure({ streams: settings });
        this.deps.log.debug({ callId: this.callId, username: this.username, mids: settings.map((s) => s.mid) }, 'SFU layer change asked for again');
      })
      .catch((err: unknown) => this.deps.log.warn({ err, callId: this.callId, username: this.username }, 'SFU layer change not asked for again'));
  }

  private sendOffer(jsep: Jsep | undefined, streams: readonly VideoRoomStream[] | undefined): void {
    if (!jsep || jsep.type !== 'offer' || this.closed) return;
    this.streams = streams ?? [];
    this.switches.renegotiated(new Map(this.streams.map((s) => [s.mid, trackKey(s)])));
    this.applied = stillApplied(this.streams, this.applied);
    void this.applyView().catch(() => undefined);
    // Janus names its room in the session name: the device has no use for it.
    this.deps.offer({ type: 'offer', sdp: jsep.sdp.replace(/^s=.*$/m, 's=-') }, (streams ?? []).flatMap(toStream));
  }
}

const streamKey = (s: { feed: number | string; mid?: string }) => `${String(s.feed)}/${s.mid ?? '*'}`;

/**
 * A publisher's streams not yet in `subscribed`, as Janus's subscribe list:
 * each active one by its mid; a publisher Janus listed without its streams,
 * as a whole (`*`).
 */
function newStreams(subscribed: ReadonlySet<string>): (p: Publisher) => { feed: number | string; mid?: string }[] {
  return (p) => {
    if (subscribed.has(streamKey({ feed: p.feed }))) return [];
    const wanted = p.streams === undefined ? [{ feed: p.feed }] : p.streams.filter((s) => s.type !== 'data' && s.disabled !== true).map((s) => ({ feed: p.feed, mid: s.mid }));
    return wanted.filter((s) => !subscribed.has(streamKey(s)));
  };
}

function answerOf(jsep: Jsep | undefined): SfuDescription<'answer'> {
  if (!jsep || jsep.type !== 'answer') throw new Error('Janus gave no answer to the offer');
  return { type: 'answer', sdp: jsep.sdp };
}

/** A received track, named by its publisher's username (Parley sets it as the Janus display name), and a video's source. */
function toStream(s: VideoRoomStream): SfuStream[] {
  if ((s.type !== 'audio' && s.type !== 'video') || s.active === false || !usernameSchema.safeParse(s.feed_display).success) return [];
  const stream: SfuStream = { mid: s.mid, username: s.feed_display as string, kind: s.type };
  return [s.type === 'video' ? { ...stream, source: s.feed_description === SCREEN_DESCRIPTION ? 'screen' : 'camera' } : stream];
}

const leftWhilePublishing = () => new RequestError('not_in_call', 'Left the SFU while publishing');
