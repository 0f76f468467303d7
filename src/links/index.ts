/**
 * @module
 * Stable links for connections the end user completes. MX's widget URLs and OAuth windows die
 * after ten minutes or on first use; a stable link is the fintech's own: an opaque, signed,
 * expiring token that, when clicked, mints a fresh MX URL for that one connection and redirects
 * to it.
 *
 * ```ts
 * import { createLinkKeys, createLinkWriter, startLinkServer, mxRedirectPolicy } from 'mx-lifecycle/links';
 * const keys = createLinkKeys(process.env.MX_LINK_SECRET);
 * if ('code' in keys) throw new Error(keys.message);
 * const linkFor = createLinkWriter(keys, 'https://connect.example.com');
 * const server = await startLinkServer({ port: 8080, keys, backend, servesJob: (id) => id === 'march', redirects: mxRedirectPolicy(baseUrl) });
 * ```
 */
export { createLinkGate, defaultLinkGateOptions, type LinkGate, type LinkGateOptions } from './gate.js';
export {
  createLinkHandler,
  LINK_PATH_PREFIX,
  type LinkBackend,
  type LinkEvent,
  type LinkHandler,
  type LinkHandlerOptions,
  type LinkTarget,
} from './handler.js';
export { createLinkWriter, DEFAULT_LINK_TTL_MS, publicUrlProblem } from './linkFor.js';
export { createStoreLinkBackend, type StoreLinkBackendOptions } from './storeBackend.js';
export { renderLinkPage, type LinkPage } from './pages.js';
export { mxRedirectPolicy, MX_REDIRECT_HOST_SUFFIXES, type RedirectPolicy } from './redirects.js';
export { DEFAULT_LINKS_HOST, startLinkServer, type LinkServer, type LinkServerOptions } from './server.js';
export {
  createLinkKeys,
  LINK_SECRET_ENV,
  MIN_LINK_SECRET_BYTES,
  openLinkToken,
  sealLinkToken,
  type LinkKeys,
  type LinkRef,
  type LinkSecretProblem,
  type LinkTokenProblem,
  type OpenedToken,
} from './token.js';
