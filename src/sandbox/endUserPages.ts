/**
 * The pages behind the sandbox's one-time URLs: `/widgets/oauth/{token}` (an institution's OAuth
 * consent: `outcome=authorized|denied|cancelled`) and `/widgets/connect/{token}` (the Connect
 * widget: `institution_code`, `username`, `password`; then `answer` to an MFA challenge, or
 * `outcome` at an OAuth institution). GET shows the page, a form POST to the same URL acts.
 * A spent or expired URL answers 410, an unknown one 404. Nothing here logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerChallenge, awaitAuthorization, CHALLENGE_OUTCOMES, startAggregation, viewAt } from './aggregation.js';
import { PAGE_PATHS, type EndUserLink, type EndUserLinks, type LinkKind, type OAuthOutcome } from './endUserLinks.js';
import {
  challengeForm, credentialsForm, donePage, GONE_PAGE, NOT_FOUND_PAGE, oauthForm, problemPage, waitingPage,
} from './endUserHtml.js';
import { addMemberRecord } from './handlers/members.js';
import { challengeOf, INSTITUTIONS, outcomeOf, STATUS_MESSAGES, type Institution, type Outcome } from './mxbank.js';
import type { SandboxOptions } from './options.js';
import type { MemberRecord, SandboxStore } from './store.js';
import type { MemberWrite } from './webhookSender.js';
import { readBody } from './wire.js';

export interface EndUserPageDeps {
  store: SandboxStore;
  options: SandboxOptions;
  links: EndUserLinks;
  /** Tells the webhook sender what the end user changed. */
  onWrite: (write: MemberWrite) => void;
}

interface Answer {
  status: number;
  html: string;
}

/** Bearer URLs: no caching, no referrer, no script, forms only back to the sandbox. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src data:; form-action 'self'; base-uri 'none'",
};
const OUTCOMES: readonly OAuthOutcome[] = ['authorized', 'denied', 'cancelled'];
const CHOICES = [...INSTITUTIONS.values()].filter((i) => !i.manual);

/**
 * The end-user pages' request handler: it answers and returns true for a page path, false otherwise.
 *
 * @example
 * const pages = createEndUserPages({ store, options, links, onWrite: () => {} });
 * if (pages(req, res, path)) return;
 */
export function createEndUserPages(deps: EndUserPageDeps): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const { store, options, links } = deps;

  const write = (link: EndUserLink, action: MemberWrite['action']): void => {
    if (link.memberGuid) deps.onWrite({ action, memberGuid: link.memberGuid, callbackPayload: link.callbackPayload });
  };

  /** The OAuth consent's outcome: authorised members aggregate as MX Bank members that connect. */
  const authorize = (link: EndUserLink, member: MemberRecord, outcome: OAuthOutcome, now: number): Answer => {
    links.recordOutcome(outcome);
    links.complete(link);
    const t = member.timeline;
    if (outcome === 'cancelled') {
      // MX's OAuth guide has CANCELLED as an error reason, not a status: the member waits as it was.
      return { status: 200, html: donePage('Authorization cancelled', `Nothing was shared with ${member.name}.`) };
    }
    if (outcome === 'denied') awaitAuthorization(t, now, options, 'DENIED');
    else {
      t.outcome = 'connected';
      if (!link.skipAggregation) startAggregation(t, now, options, `CRD-${randomUUID()}`);
    }
    write(link, 'updated');
    return outcome === 'denied'
      ? { status: 200, html: donePage('Authorization denied', `${member.name} will not share your accounts.`) }
      : { status: 200, html: donePage('Authorized', `${member.name} is sharing your accounts.`) };
  };

  const credentials = (link: EndUserLink, member: MemberRecord | undefined, form: URLSearchParams | null, now: number): Answer => {
    const chosenCode = member?.institutionCode ?? (form?.get('institution_code') || link.institutionCode);
    const chosen = chosenCode ? INSTITUTIONS.get(chosenCode) : undefined;
    const view = (status: number, problem?: string): Answer => ({
      status, html: credentialsForm(CHOICES, chosen && !chosen.manual ? chosen : null, member !== undefined, problem),
    });
    if (!form) return view(200);
    if (!chosen || chosen.manual) return view(400, 'Choose an institution.');
    if (chosen.oauth) return startOAuth(link, chosen, now);
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    if (username === '' || password === '') return view(400, 'Enter your username and password.');
    // The values pick the outcome here and are dropped with the form.
    const given = [{ guid: 'CRD-username', value: username }, { guid: 'CRD-password', value: password }];
    const outcome = outcomeOf(given);
    const fingerprint = store.fingerprint(chosen.code, given);
    const twin = [...store.membersOf(link.userGuid)].some((m) => m !== member && m.fingerprint === fingerprint);
    if (twin) return view(409, `You are already connected to ${chosen.name} with these credentials.`);
    const target = member ?? created(link, chosen, outcome, now, fingerprint);
    target.fingerprint = fingerprint;
    startAggregation(target.timeline, now, options, `CRD-${randomUUID()}`, 'aggregate', outcome);
    write(link, member ? 'updated' : 'created');
    if (CHALLENGE_OUTCOMES.includes(outcome)) {
      link.stage = 'challenge';
      return { status: 200, html: waitingPage(chosen.name) };
    }
    links.complete(link);
    return { status: 200, html: donePage(`Connecting to ${chosen.name}`, 'Your accounts are being connected.') };
  };

  const created = (link: EndUserLink, institution: Institution, outcome: Outcome, now: number, fingerprint: string | null): MemberRecord => {
    const member = addMemberRecord(store, {
      clientId: link.clientId, userGuid: link.userGuid, id: null, institution, outcome, metadata: null, now, fingerprint,
    });
    link.memberGuid = member.guid;
    return member;
  };

  /** The widget at an OAuth institution: a new OAuth member, then the institution's consent on this same URL. */
  const startOAuth = (link: EndUserLink, institution: Institution, now: number): Answer => {
    created(link, institution, 'oauth', now, null);
    write(link, 'created');
    link.stage = 'oauth';
    return { status: 200, html: oauthForm(institution.name) };
  };

  const challenge = (link: EndUserLink, member: MemberRecord, form: URLSearchParams | null, now: number): Answer => {
    const t = member.timeline;
    const view = viewAt(t, now, options);
    if (view.challenged) {
      const open = challengeOf(t.outcome, t.challengeGuid, t.round) ?? {};
      const answer = form?.get('answer') ?? '';
      if (!form || answer === '') return { status: form ? 400 : 200, html: challengeForm(open) };
      const followUp = answerChallenge(t, answer, now, options, `CRD-${randomUUID()}`);
      write(link, 'updated');
      // A follow-up challenge is answered on this same page once it opens.
      if (followUp) return { status: 200, html: waitingPage(member.name) };
      links.complete(link);
      return { status: 200, html: donePage('Thank you', `${member.name} is checking your answer.`) };
    }
    if (view.is_being_aggregated && t.answeredAt === null) {
      return form
        ? { status: 409, html: problemPage('Not ready yet', 'There is no challenge to answer yet: reload this page.') }
        : { status: 200, html: waitingPage(member.name) };
    }
    links.complete(link);
    const status = view.connection_status ?? 'CREATED';
    return { status: 200, html: donePage(status, STATUS_MESSAGES[status] ?? status) };
  };

  const act = (link: EndUserLink, form: URLSearchParams | null, now: number): Answer => {
    const owner = store.user(link.clientId, link.userGuid);
    const member = link.memberGuid === null ? undefined : store.member(link.userGuid, link.memberGuid);
    if (!owner || (link.memberGuid !== null && !member)) {
      links.discard(link);
      return { status: 410, html: GONE_PAGE };
    }
    if (link.stage === 'credentials') return credentials(link, member, form, now);
    if (!member) return { status: 410, html: GONE_PAGE };
    if (link.stage === 'challenge') return challenge(link, member, form, now);
    if (!form) return { status: 200, html: oauthForm(member.name) };
    const outcome = form.get('outcome') as OAuthOutcome | null;
    if (outcome === null || !OUTCOMES.includes(outcome)) {
      return { status: 400, html: problemPage('Choose an outcome', 'Send outcome=authorized, denied or cancelled.') };
    }
    return authorize(link, member, outcome, now);
  };

  const serve = async (req: IncomingMessage, kind: LinkKind, token: string): Promise<Answer> => {
    if (token === '' || token.includes('/')) return { status: 404, html: NOT_FOUND_PAGE };
    let form: URLSearchParams | null = null;
    if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? 'application/x-www-form-urlencoded').split(';')[0]?.trim().toLowerCase();
      const body = await readBody(req);
      if (!body.ok) return { status: 413, html: problemPage('Too large', 'The form is larger than 1 MB.') };
      if (type !== 'application/x-www-form-urlencoded') {
        return { status: 415, html: problemPage('Unsupported form', 'Post the form as application/x-www-form-urlencoded.') };
      }
      form = new URLSearchParams(body.text);
    }
    // Read after the body is in, so the time a form arrives is the time it is judged by.
    const now = Date.now();
    const link = links.find(kind, token, now);
    if (link === 'unknown') return { status: 404, html: NOT_FOUND_PAGE };
    if (link === 'gone') return { status: 410, html: GONE_PAGE };
    return act(link, form, now);
  };

  return (req, res, path) => {
    const kind: LinkKind | null = path.startsWith(PAGE_PATHS.widget) ? 'widget' : path.startsWith(PAGE_PATHS.oauth) ? 'oauth' : null;
    if (kind === null) return false;
    const send = (answer: Answer, extra: Record<string, string> = {}): void => {
      if (res.headersSent) return;
      res.writeHead(answer.status, { ...PAGE_HEADERS, ...extra, 'content-length': Buffer.byteLength(answer.html) });
      res.end(answer.html);
    };
    if (req.method !== 'GET' && req.method !== 'POST') {
      send({ status: 405, html: problemPage('Method not allowed', 'Open this page with GET, or post its form.') }, { allow: 'GET, POST' });
      return true;
    }
    serve(req, kind, path.slice(PAGE_PATHS[kind].length)).then(send, () => send({ status: 500, html: problemPage('Error', 'Something went wrong.') }));
    return true;
  };
}
