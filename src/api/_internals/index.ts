/**
 * The private door of src/api: what another folder reads of the client's options without loading
 * the client itself (its HTTP stack and response schemas). The command line's flag table reads the
 * client's defaults here.
 */
export { API_VERSIONS, defaultMxClientOptions, type ApiVersion } from '../options.js';
