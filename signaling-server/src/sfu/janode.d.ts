/**
 * Types for the part of Meetecho's janode (plain JavaScript, no types of
 * its own) that Parley uses: a connection, a session, VideoRoom handles.
 * Written from janode 1.8's source and JSDoc (src/janode.js, connection.js,
 * session.js, handle.js, plugins/videoroom-plugin.js).
 */
declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface Jsep {
    type: 'offer' | 'answer';
    sdp: string;
  }
  export interface TrickleCandidate {
    candidate: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
  }
  export interface Handle extends EventEmitter {
    id: number;
    name: string;
    detach(): Promise<void>;
    hangup(): Promise<void>;
    /** A candidate, or none for "trickle complete". */
    trickle(candidate?: TrickleCandidate | null): Promise<void>;
  }
  export interface PluginDescriptor<H extends Handle> {
    id: string;
    Handle: new (...args: never[]) => H;
    EVENT: Record<string, string>;
  }
  export interface Session extends EventEmitter {
    id: number;
    attach<H extends Handle>(plugin: PluginDescriptor<H>): Promise<H>;
    destroy(): Promise<void>;
  }
  export interface Connection extends EventEmitter {
    create(ka_interval?: number): Promise<Session>;
    close(): Promise<void>;
  }
  export interface ConnectConfig {
    address: { url: string; apisecret?: string } | { url: string; apisecret?: string }[];
    retry_time_secs?: number;
    max_retries?: number;
    is_admin?: boolean;
  }
  const Janode: {
    connect(config: ConnectConfig, key?: string | number | null): Promise<Connection>;
    EVENT: {
      CONNECTION_CLOSED: 'connection_closed';
      SESSION_DESTROYED: 'session_destroyed';
      HANDLE_DETACHED: 'handle_detached';
      HANDLE_ICE_FAILED: 'handle_ice_failed';
      HANDLE_HANGUP: 'handle_hangup';
      HANDLE_MEDIA: 'handle_media';
      HANDLE_WEBRTCUP: 'handle_webrtcup';
      HANDLE_SLOWLINK: 'handle_slowlink';
      HANDLE_TRICKLE: 'handle_trickle';
      CONNECTION_ERROR: 'connection_error';
    };
    Logger: { setLevel(level: 'debug' | 'verb' | 'info' | 'warn' | 'error' | 'none'): string };
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { Handle, Jsep, PluginDescriptor } from 'janode';

  /** A stream of a publisher, or of a multistream subscription, as Janus describes it. */
  export interface VideoRoomStream {
    type: 'audio' | 'video' | 'data';
    mid: string;
    mindex?: number;
    active?: boolean;
    feed_id?: number | string;
    feed_mid?: string;
    feed_display?: string;
    /** The publisher's description of the stream (Parley's: `screen` for a shared screen). */
    feed_description?: string;
    /** A publisher's stream it stopped sending (renegotiated away). */
    disabled?: boolean;
    description?: string;
  }
  export interface Publisher {
    feed: number | string;
    display?: string;
    talking?: boolean;
    streams?: VideoRoomStream[];
  }
  export interface PubJoined {
    room: number | string;
    feed: number | string;
    private_id?: number;
    publishers: Publisher[];
    jsep?: Jsep;
  }
  export interface SubJoined {
    room: number | string;
    streams?: VideoRoomStream[];
    jsep?: Jsep;
  }
  export interface Updated {
    room: number | string;
    streams?: VideoRoomStream[];
    jsep?: Jsep;
  }
  export interface VideoRoomHandle extends Handle {
    feed: number | string | null;
    room: number | string | null;
    create(p: {
      room?: string;
      description?: string;
      max_publishers?: number;
      is_private?: boolean;
      secret?: string;
      /** Needed by every join, publisher or subscriber. */
      pin?: string;
      admin_key?: string;
      audiocodec?: string;
      videocodec?: string;
      /** Opus in-band FEC negotiated (useinbandfec=1) with publishers and subscribers. */
      opus_fec?: boolean;
      /** Opus DTX negotiated (usedtx=1). */
      opus_dtx?: boolean;
      talking_events?: boolean;
      /** Janus's audio_level_average: talking while the average level, in -dBov (0 loudest, 127 silence), is below it. */
      talking_level_threshold?: number;
      /** Janus's audio_active_packets: how many packets each average is taken over. */
      talking_packets_threshold?: number;
      notify_joining?: boolean;
      require_pvtid?: boolean;
    }): Promise<{ room: number | string }>;
    exists(p: { room: string }): Promise<{ room: number | string; exists: boolean }>;
    destroy(p: { room: string; secret?: string }): Promise<unknown>;
    /** Every room, private ones too with the admin key. */
    list(p: { admin_key?: string }): Promise<{ list: { room: number | string; description?: string; num_participants?: number }[] }>;
    listParticipants(p: { room: string; secret?: string }): Promise<{ participants: { feed: number | string; display?: string; publisher?: boolean }[] }>;
    /** Joins as a publisher without publishing (tests: the room's pin is checked). */
    joinPublisher(p: { room: string; pin?: string; display?: string }): Promise<unknown>;
    joinConfigurePublisher(p: { room: string; pin?: string; feed?: number | string; display?: string; descriptions?: { mid: string; description: string }[]; jsep: Jsep }): Promise<PubJoined>;
    /** A publisher's new offer; or, on a subscriber handle, what each of its streams relays (`send`, simulcast `substream` 0 lowest to 2). */
    configure(p: { jsep?: Jsep; descriptions?: { mid: string; description: string }[]; streams?: { mid: string; send?: boolean; substream?: number }[] }): Promise<{ jsep?: Jsep }>;
    joinSubscriber(p: { room: string; pin?: string; streams: { feed: number | string; mid?: string }[]; private_id?: number; autoupdate?: boolean; use_msid?: boolean }): Promise<SubJoined>;
    update(p: { subscribe?: { feed: number | string; mid?: string }[]; unsubscribe?: { feed: number | string; mid?: string }[] }): Promise<Updated>;
    start(p: { jsep: Jsep }): Promise<unknown>;
    leave(): Promise<unknown>;
  }
  const VideoRoomPlugin: PluginDescriptor<VideoRoomHandle> & {
    EVENT: {
      VIDEOROOM_PUB_PEER_JOINED: 'videoroom_publisher_joined';
      VIDEOROOM_PUB_LIST: 'videoroom_publisher_list';
      VIDEOROOM_DESTROYED: 'videoroom_destroyed';
      VIDEOROOM_UNPUBLISHED: 'videoroom_unpublished';
      VIDEOROOM_LEAVING: 'videoroom_leaving';
      VIDEOROOM_TALKING: 'videoroom_talking';
      /** A subscription's stream now relays another simulcast layer (`mid`, `sc_substream_layer`). */
      VIDEOROOM_SC_SUBSTREAM_LAYER: 'videoroom_sc_substream_layer';
      VIDEOROOM_UPDATED: 'videoroom_updated';
      VIDEOROOM_KICKED: 'videoroom_kicked';
      VIDEOROOM_ERROR: 'videoroom_error';
    };
  };
  export default VideoRoomPlugin;
}
