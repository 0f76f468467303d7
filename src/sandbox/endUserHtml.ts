/**
 * The plain HTML of the sandbox's end-user pages: no script, every form posting back to the page's
 * own URL (a form without `action`), so a person, curl or a headless browser completes them alike.
 * Pages show only the institution and the challenge of the link's own member; nothing the end user
 * typed is ever written back.
 */
import type { Institution } from './mxbank.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * A whole page; `refresh` reloads it after a second (the widget waiting on an aggregation).
 *
 * @example
 * htmlPage('Connected', '<p>Done.</p>'); // '<!doctype html>…'
 */
export function htmlPage(title: string, body: string, refresh = false): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    refresh ? '<meta http-equiv="refresh" content="1">' : '',
    `<title>${escape(title)}</title></head>`,
    `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`,
  ].join('');
}

const paragraph = (text: string): string => `<p>${escape(text)}</p>`;

/** The institution's OAuth consent: the end user authorises, denies or cancels. */
export function oauthForm(institution: string): string {
  return htmlPage(`Authorize access to ${institution}`, [
    paragraph(`${institution} asks whether to share your accounts through MX.`),
    '<form method="post">',
    '<button type="submit" name="outcome" value="authorized">Authorize</button> ',
    '<button type="submit" name="outcome" value="denied">Deny</button> ',
    '<button type="submit" name="outcome" value="cancelled">Cancel</button>',
    '</form>',
  ].join(''));
}

/**
 * The Connect widget's credential view: an institution to choose (preselected by
 * `current_institution_code`) unless the widget updates a member, then username and password.
 */
export function credentialsForm(choices: readonly Institution[], chosen: Institution | null, updating: boolean, problem?: string): string {
  const institution = updating && chosen
    ? paragraph(`Update your credentials for ${chosen.name}.`)
    : [
      '<p><label for="institution_code">Institution</label> <select id="institution_code" name="institution_code">',
      ...choices.map((i) => `<option value="${escape(i.code)}"${i === chosen ? ' selected' : ''}>${escape(i.name)}</option>`),
      '</select></p>',
    ].join('');
  return htmlPage(updating ? 'Reconnect your account' : 'Connect your account', [
    problem === undefined ? '' : `<p role="alert">${escape(problem)}</p>`,
    '<form method="post">',
    institution,
    '<p><label for="username">Username</label> <input id="username" name="username" autocomplete="off"></p>',
    '<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="off"></p>',
    paragraph('An OAuth institution needs no username or password: you authorize at the institution next.'),
    '<p><button type="submit">Continue</button></p>',
    '</form>',
  ].join(''));
}

/** An MFA challenge as MX's ChallengeResponse describes it, answered in the field `answer`. */
export function challengeForm(challenge: Record<string, unknown>): string {
  const label = String(challenge.label ?? 'Answer the challenge.');
  const options = Array.isArray(challenge.options) ? (challenge.options as { label: string; value: string }[]) : [];
  const image = typeof challenge.image_data === 'string' ? `<p><img alt="challenge" src="${escape(challenge.image_data)}"></p>` : '';
  const field = options.length > 0
    ? options.map((o, i) => `<p><label><input type="radio" name="answer" value="${escape(o.value)}"${i === 0 ? ' checked' : ''}> ${escape(o.label)}</label></p>`).join('')
    : '<p><input id="answer" name="answer" autocomplete="off" aria-label="answer"></p>';
  return htmlPage('Verify your identity', `${paragraph(label)}${image}<form method="post">${field}<p><button type="submit">Submit</button></p></form>`);
}

/** The widget waiting for the aggregation to reach its challenge: it reloads itself. */
export function waitingPage(institution: string): string {
  return htmlPage(`Connecting to ${institution}`, paragraph('This page reloads itself until there is something to answer.'), true);
}

/** The end of a flow: what happened, and that the window can close. */
export function donePage(title: string, message: string): string {
  return htmlPage(title, `${paragraph(message)}${paragraph('You can close this window.')}`);
}

/** A problem with what was posted; the page's URL stays usable. */
export function problemPage(title: string, message: string): string {
  return htmlPage(title, paragraph(message));
}

export const GONE_PAGE = htmlPage('This link has expired', paragraph('A link like this one works once, and for a limited time only. Ask for a new one.'));
export const NOT_FOUND_PAGE = htmlPage('Not found', paragraph('There is no page at this address.'));
