/**
 * janode and its VideoRoom plugin, as their default exports, for every SFU
 * file. janode is an ES module with only a default export; the bundle that
 * `parley-server` runs (scripts/bundle.mjs) is CommonJS and leaves janode
 * outside, so it `require()`s it: Node hands back the module's namespace
 * (marked `__esModule`), which the bundler's interop wraps once more as the
 * default. Unwrapped here, so the same code runs from the sources (the
 * tests) and from the bundle.
 */
import * as janodeModule from 'janode';
import * as videoRoomModule from 'janode/plugins/videoroom';

function defaultExport<T extends object>(module: { default: T }): T {
  const wrapped = module.default as T & { __esModule?: boolean; default?: T };
  return wrapped.__esModule === true && wrapped.default !== undefined ? wrapped.default : wrapped;
}

export const Janode = defaultExport(janodeModule);
export const VideoRoomPlugin = defaultExport(videoRoomModule);
