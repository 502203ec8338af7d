/**
 * The audio sender's encoded transform (RTCRtpScriptTransform): each RED
 * payload leaves with as many earlier frames as the readings the page sends
 * call for (red-depth.ts decides, red-blocks.ts builds the payload). One
 * worker serves one call's audio sender.
 */
import { redCopier } from './red-blocks.js';
import { copiesFor, sinceLoss, RED_COPIES_MAX, type RedDepthMessage } from './red-depth.js';

interface EncodedFrame {
  data: ArrayBuffer;
  getMetadata(): { rtpTimestamp?: number };
}

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  onrtctransform: ((event: { transformer: { readable: ReadableStream<EncodedFrame>; writable: WritableStream<EncodedFrame> } }) => void) | null;
}

const scope = self as unknown as WorkerScope;
let since = Infinity;

scope.onmessage = ({ data }) => {
  if (typeof data === 'number') since = sinceLoss(since, data satisfies RedDepthMessage);
};

scope.onrtctransform = ({ transformer }) => {
  // A plain read and write loop (pipeThrough a TransformStream cost more), and while one copy will do (a clean
  // path) the frame's data is not read (each read copies it): the browser's payload goes as it is, and the frames
  // kept start afresh when loss comes back. bench:client --threads: this thread 3 points of a core per 1:1 call
  // (both ends) before, 2 after.
  const reader = transformer.readable.getReader();
  const writer = transformer.writable.getWriter();
  let copy: ReturnType<typeof redCopier> | null = null;
  const send = (frame: EncodedFrame): void => {
    const copies = copiesFor(since);
    if (copies === 1) copy = null;
    else {
      // Whatever happens, the frame goes on: an error here would end the stream, and the voice with it.
      try {
        copy ??= redCopier(RED_COPIES_MAX);
        const timestamp = frame.getMetadata().rtpTimestamp;
        const payload = timestamp === undefined ? null : copy(new Uint8Array(frame.data), timestamp, copies);
        if (payload) frame.data = payload.buffer as ArrayBuffer;
      } catch {
        // Sent as the browser made it.
      }
    }
    writer.write(frame).catch(() => undefined);
  };
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      send(value);
    }
  })().catch(() => undefined);
};

// Its only message: the script runs, so a sender may take it (audio-redundancy.ts).
scope.postMessage(true);
