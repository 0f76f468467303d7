/**
 * The plain pages an end user may see from the link server. They hold fixed text only: nothing
 * from the request, the token, the customer or MX, so a page can never carry a secret or a script.
 */

/** The kinds of page the link server answers with, other than a redirect. */
export type LinkPage = 'notFound' | 'expired' | 'complete' | 'busy' | 'mxUnavailable' | 'tooMany' | 'method';

const TEXT: Record<LinkPage, { title: string; body: string }> = {
  notFound: {
    title: 'This link is not recognised',
    body: 'Check that the whole link was copied, or use the link in the most recent message you received. If it still does not work, ask for a new link.',
  },
  expired: {
    title: 'This link has expired',
    body: 'Links to connect your bank are valid for a limited time. Ask for a new link.',
  },
  complete: {
    title: 'Nothing left to do here',
    body: 'This bank connection no longer needs you: it is complete, or it was closed. You can close this page.',
  },
  busy: {
    title: 'Please try again in a moment',
    body: 'Many people are connecting right now. Wait a few seconds and open the link again.',
  },
  mxUnavailable: {
    title: 'Please try again shortly',
    body: 'We could not reach the bank connection service just now. Your connection is still waiting for you: open the link again in a few minutes.',
  },
  tooMany: {
    title: 'Please wait a minute',
    body: 'This link was opened many times in a short while. Wait a minute and open it again.',
  },
  method: {
    title: 'Open this link in a browser',
    body: 'This address only answers a browser opening it.',
  },
};

/**
 * The HTML of `page`: a complete document with no scripts, no styles from elsewhere and no
 * content from the request.
 *
 * @example
 * ```ts
 * res.end(renderLinkPage('expired'));
 * ```
 */
export function renderLinkPage(page: LinkPage): string {
  const { title, body } = TEXT[page];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d2433}h1{font-size:1.4rem}</style>
</head><body><h1>${title}</h1><p>${body}</p></body></html>
`;
}
