// A load-generator thread's errors, counted by kind with a few samples, and
// the acknowledged request that counts a refusal or a timeout as one. The
// thread hands them to the main thread with each command's answer.
let errors = {};
const errorSamples = [];

export function error(kind, detail) {
  errors[kind] = (errors[kind] ?? 0) + 1;
  if (errorSamples.length < 20) errorSamples.push(`${kind}${detail === undefined ? '' : `: ${String(detail)}`}`);
}

export function takeErrors() {
  const out = { errors, errorSamples: [...errorSamples] };
  errors = {};
  errorSamples.length = 0;
  return out;
}

/**
 * Emits with an acknowledgement; a refusal or no answer within 15 s is an
 * error of `kind`. `onOk` runs on success, `always` in every case.
 */
export function request(c, event, payload, kind, onOk, always) {
  c.socket.timeout(15_000).emit(event, payload, (err, reply) => {
    if (err) error(`${kind}:timeout`);
    else if (!reply.ok) error(`${kind}:${reply.code}`, reply.message);
    else onOk?.(reply);
    always?.();
  });
}
