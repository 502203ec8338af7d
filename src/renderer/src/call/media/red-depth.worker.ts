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
  const copy = redCopier(RED_COPIES_MAX);
  void transformer.readable
    .pipeThrough(
      new TransformStream<EncodedFrame, EncodedFrame>({
        transform(frame, out) {
          // Whatever happens, the frame goes on: an error here would end the stream, and the voice with it.
          try {
            const timestamp = frame.getMetadata().rtpTimestamp;
            const payload = timestamp === undefined ? null : copy(new Uint8Array(frame.data), timestamp, copiesFor(since));
            if (payload) frame.data = payload.buffer as ArrayBuffer;
          } catch {
            // Sent as the browser made it.
          }
          out.enqueue(frame);
        },
      }),
    )
    .pipeTo(transformer.writable);
};

// Its only message: the script runs, so a sender may take it (audio-redundancy.ts).
scope.postMessage(true);
