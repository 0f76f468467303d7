/**
 * MX Platform's API versions, chosen per request by `Accept-Version` (MX's versioning guide:
 * docs.mx.com/api-reference/platform-api/overview/versioning). Each version has its own media
 * type; v20250224 also lets a path name a user or member by the external id as well as the guid.
 */

export const API_VERSIONS = ['v20250224', 'v20111101'] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

/** The media type each version answers with (the `content` keys of its OpenAPI file). */
export const MEDIA_TYPES: Readonly<Record<ApiVersion, string>> = {
  v20250224: 'application/json',
  v20111101: 'application/vnd.mx.api.v1+json',
};

/**
 * The version a request asks for: its `Accept-Version`, or v20111101 when it sends none and the
 * sandbox does not require one; `undefined` (answered 406) when it is missing or unknown.
 *
 * @example
 * versionOf('v20250224', true); // 'v20250224'
 * versionOf(undefined, true); // undefined
 */
export function versionOf(header: string | string[] | undefined, required: boolean): ApiVersion | undefined {
  if (header === undefined) return required ? undefined : 'v20111101';
  const value = (Array.isArray(header) ? header[0] ?? '' : header).trim();
  return (API_VERSIONS as readonly string[]).includes(value) ? (value as ApiVersion) : undefined;
}

/** Whether paths in `version` may name a record by its external id (v20250224's `*_identifier`). */
export function acceptsExternalIds(version: ApiVersion): boolean {
  return version === 'v20250224';
}
