/**
 * The one Content Security Policy for the renderer, wherever it is served
 * from: the desktop app's `app://parley` protocol (as a response header), the
 * renderer's index.html (as a meta tag) and the signaling server's web root.
 * 'self' is the renderer's own origin; `connect-src` stays open to any
 * http(s)/ws(s) host because the user picks the signaling server at sign-in.
 * The noise suppressor's worklet and WebAssembly are files of the build,
 * hence 'self'; compiling WebAssembly needs 'wasm-unsafe-eval', which allows
 * no eval() of JavaScript.
 * Pure TypeScript: no electron, no DOM, no node.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  // WebAssembly may be compiled (RNNoise, the noise suppressor), never JavaScript from strings.
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'media-src': ["'self'", 'blob:', 'mediastream:'],
  'connect-src': ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'none'"],
} as const satisfies Record<string, readonly string[]>;

type Directive = keyof typeof CSP_DIRECTIVES;

function serialize(skip: readonly Directive[] = []): string {
  return Object.entries(CSP_DIRECTIVES)
    .filter(([directive]) => !skip.includes(directive as Directive))
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');
}

/** For a `Content-Security-Policy` response header: `default-src 'self'; script-src 'self'; …` */
export const CONTENT_SECURITY_POLICY: string = serialize();

/**
 * For `<meta http-equiv="Content-Security-Policy">`: the same policy without
 * `frame-ancestors`, which browsers ignore (with a console warning) in a meta
 * tag. Where a header can be sent, send `CONTENT_SECURITY_POLICY` too.
 */
export const CONTENT_SECURITY_POLICY_META: string = serialize(['frame-ancestors']);
