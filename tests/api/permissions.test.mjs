// permissions.test.mjs - the permission matrix: every endpoint of the API
// (the ENDPOINTS table below) × {anonymous, end-user, agent, admin}.  A role
// below the endpoint's least role must get 401 (anonymous) or 403; a role
// at or above it must get through (one of the statuses the entry lists, and
// never 401/403 or "no such endpoint").  Mutating requests point at ids that
// do not exist or carry bodies that fail validation, so the matrix changes
// nothing.  Who may do what follows Zendesk's "Allowed for" notes, with
// Sonnim's one extension: end-users use /tickets for their own requests.
//
// A second test reads the route tables in src/api/*.c and fails when a
// route is missing from ENDPOINTS, so a new endpoint cannot skip the matrix.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { env, client, call, rawFetch, ROOT, show } from './lib/harness.mjs';
import { demo, newTicket } from './lib/fixtures.mjs';

await env();

const ROLES = ['anonymous', 'end-user', 'agent', 'admin'];
const WHO = { anonymous: 'anonymous', 'end-user': 'enduser', agent: 'agent', admin: 'admin' };
const RANK = { public: -1, anonymous: -1, 'end-user': 0, agent: 1, admin: 2 };
const X = 999999; // an id nothing has
const OK = [200];
const MISSING = [404];
const INVALID = [400, 422];

// method, path (under /api/v2 unless it starts with //), least role, and
// what an allowed request gets.  {t} a ticket the end-user requested, {u}
// the end-user, {a} the agent, {o} an organization, {g} a group, {f} a
// ticket field, {m} a group membership, {i} the end-user's email identity,
// {l} a help-center locale, {k} a messenger site key nothing has.
const ENDPOINTS = [
  // system (plain fetch: outside /api/v2)
  ['GET', '//healthz', 'public', OK],
  ['GET', '//metrics', 'public', OK],
  ['GET', '/sonnim/session', 'end-user', OK],
  ['DELETE', '/sonnim/session', 'end-user', [400]],
  ['POST', '/sonnim/session', 'public', [401], { body: { email: 'nobody@sonnim.test', password: 'x' } }],
  // the agent workspace: the app is public (it holds no data), the event
  // stream is for agents (rawFetch reads its first chunk, then hangs up)
  ['GET', '//agent', 'public', OK],
  ['GET', '//agent/', 'public', OK],
  ['GET', '//agent/assets/{x}', 'public', MISSING],
  ['GET', '//api/v2/sonnim/stream', 'agent', OK],
  // tickets
  ['GET', '/tickets', 'end-user', OK],
  ['POST', '/tickets', 'end-user', INVALID, { body: { ticket: { subject: 'matrix' } } }],
  ['GET', '/tickets/show_many', 'end-user', OK, { query: { ids: '{t}' } }],
  ['GET', '/tickets/{t}', 'end-user', OK],
  ['PUT', '/tickets/{x}', 'end-user', MISSING, { body: { ticket: { subject: 'x' } } }],
  ['PATCH', '/tickets/{x}', 'end-user', MISSING, { body: { ticket: { subject: 'x' } } }],
  ['DELETE', '/tickets/{x}', 'admin', MISSING],
  ['GET', '/tickets/{t}/comments', 'end-user', OK],
  ['GET', '/tickets/{t}/audits', 'agent', OK],
  ['GET', '/ticket_metrics', 'agent', OK],
  ['GET', '/ticket_metrics/{x}', 'agent', MISSING],
  ['GET', '/tickets/{x}/metrics', 'agent', MISSING],
  ['GET', '/tickets/{t}/incidents', 'agent', OK],
  ['POST', '/tickets/{x}/merge', 'agent', [404, 422], { body: { ids: [X] } }],
  ['GET', '/tickets/{t}/tags', 'agent', OK],
  ['POST', '/tickets/{x}/tags', 'agent', MISSING, { body: { tags: ['x'] } }],
  ['PUT', '/tickets/{x}/tags', 'agent', MISSING, { body: { tags: ['x'] } }],
  ['DELETE', '/tickets/{x}/tags', 'agent', MISSING, { body: { tags: ['x'] } }],
  ['POST', '/tickets/create_many', 'agent', INVALID, { body: { tickets: [] } }],
  ['PUT', '/tickets/update_many', 'agent', INVALID, { body: { tickets: [] } }],
  ['GET', '/job_statuses/{x}', 'agent', MISSING],
  ['GET', '/organizations/{o}/tickets', 'agent', OK],
  ['GET', '/users/{u}/tickets/requested', 'agent', OK],
  ['GET', '/users/{u}/tickets/assigned', 'agent', OK],
  ['GET', '/sonnim/jobs', 'admin', OK],
  ['POST', '/sonnim/jobs/{x}/retry', 'admin', MISSING],
  // users and identities
  ['GET', '/users', 'agent', OK],
  ['POST', '/users', 'agent', INVALID, { body: { user: { email: 'not-an-email' } } }],
  ['GET', '/users/me', 'end-user', OK],
  ['GET', '/users/show_many', 'agent', OK, { query: { ids: '{u}' } }],
  ['GET', '/users/search', 'agent', OK, { query: { query: 'jane' } }],
  ['GET', '/users/{u}', 'agent', OK],
  ['GET', '/users/count', 'agent', OK],
  ['GET', '/users/autocomplete', 'agent', OK, { query: { name: 'ja' } }],
  ['POST', '/users/create_or_update', 'agent', INVALID, { body: { user: { email: 'not-an-email' } } }],
  // an end-user may update their own profile (the same name again: no change)
  ['PUT', '/users/{u}', 'end-user', OK, { body: { user: { name: '고객 하나' } } }],
  ['PUT', '/users/{x}/password', 'end-user', [403, 404, 422], { body: { previous_password: 'x', password: 'y' } }],
  ['POST', '/users/{x}/password', 'admin', MISSING, { body: { password: 'New-password-1234' } }],
  ['DELETE', '/users/{x}', 'admin', MISSING],
  ['PUT', '/users/{x}/merge', 'agent', [404, 422], { body: { user: { id: '{u}' } } }],
  ['GET', '/users/{u}/identities', 'agent', OK],
  ['POST', '/users/{x}/identities', 'agent', MISSING, { body: { identity: { type: 'email', value: 'matrix@example.com' } } }],
  ['GET', '/users/{u}/identities/{i}', 'agent', OK],
  ['PUT', '/users/{x}/identities/{x}', 'agent', MISSING, { body: { identity: { verified: true } } }],
  ['DELETE', '/users/{x}/identities/{x}', 'agent', MISSING],
  ['PUT', '/users/{x}/identities/{x}/make_primary', 'agent', MISSING],
  ['PUT', '/users/{x}/identities/{x}/verify', 'agent', MISSING],
  ['GET', '/users/{a}/group_memberships', 'agent', OK],
  ['POST', '/users/{x}/group_memberships', 'admin', [404, 422], { body: { group_membership: { group_id: '{g}' } } }],
  ['GET', '/users/{x}/group_memberships/{x}', 'agent', MISSING],
  ['DELETE', '/users/{x}/group_memberships/{x}', 'admin', MISSING],
  ['PUT', '/users/{x}/group_memberships/{x}/make_default', 'agent', MISSING],
  ['GET', '/users/{u}/groups', 'agent', OK],
  ['GET', '/users/{u}/organizations', 'agent', OK],
  ['GET', '/users/{u}/organization_memberships', 'agent', OK],
  // macros (agents manage their personal ones: the checks inside refuse others)
  ['GET', '/macros', 'agent', OK],
  ['POST', '/macros', 'agent', INVALID, { body: { macro: {} } }],
  ['GET', '/macros/active', 'agent', OK],
  ['GET', '/macros/{x}', 'agent', MISSING],
  ['PUT', '/macros/{x}', 'agent', MISSING, { body: { macro: { title: 'x' } } }],
  ['DELETE', '/macros/{x}', 'agent', MISSING],
  ['GET', '/macros/{x}/apply', 'agent', MISSING],
  ['GET', '/tickets/{t}/macros/{x}/apply', 'agent', MISSING],
  // views (agents manage their personal ones) and agents' availability
  ['GET', '/views', 'agent', OK],
  ['POST', '/views', 'agent', INVALID, { body: { view: {} } }],
  ['GET', '/views/active', 'agent', OK],
  ['GET', '/views/count_many', 'agent', OK, { query: { ids: String(X) } }],
  ['GET', '/views/{x}', 'agent', MISSING],
  ['PUT', '/views/{x}', 'agent', MISSING, { body: { view: { title: 'x' } } }],
  ['DELETE', '/views/{x}', 'agent', MISSING],
  ['GET', '/views/{x}/tickets', 'agent', MISSING],
  ['GET', '/views/{x}/execute', 'agent', MISSING],
  ['GET', '/views/{x}/count', 'agent', MISSING],
  ['GET', '/sonnim/agents/statuses', 'agent', OK],
  ['PUT', '/sonnim/agents/me/status', 'agent', INVALID, { body: { status: 'busy' } }],
  ['GET', '/sonnim/api_tokens', 'admin', OK],
  ['POST', '/sonnim/api_tokens', 'admin', INVALID, { body: { api_token: { user_id: X } } }],
  ['DELETE', '/sonnim/api_tokens/{x}', 'admin', MISSING],
  // organizations
  ['GET', '/organizations', 'agent', OK],
  ['POST', '/organizations', 'admin', INVALID, { body: { organization: {} } }],
  ['GET', '/organizations/{o}', 'agent', OK],
  ['PUT', '/organizations/{x}', 'agent', MISSING, { body: { organization: { notes: 'x' } } }],
  ['DELETE', '/organizations/{x}', 'admin', MISSING],
  ['GET', '/organizations/{o}/users', 'agent', OK],
  ['GET', '/organizations/{o}/organization_memberships', 'agent', OK],
  ['GET', '/organizations/count', 'agent', OK],
  ['GET', '/organizations/autocomplete', 'agent', OK, { query: { name: 'Ac' } }],
  ['GET', '/organizations/show_many', 'agent', OK, { query: { ids: '{o}' } }],
  ['GET', '/organizations/search', 'admin', OK, { query: { name: 'Acme Corp' } }],
  ['POST', '/organizations/create_or_update', 'agent', INVALID, { body: { organization: {} } }],
  // groups and memberships
  // triggers and automations (agents read, admins write)
  ['GET', '/triggers', 'agent', OK],
  ['POST', '/triggers', 'admin', INVALID, { body: { trigger: { title: 'x' } } }],
  ['GET', '/triggers/active', 'agent', OK],
  ['PUT', '/triggers/reorder', 'admin', INVALID, { body: { trigger_ids: [X] } }],
  ['GET', '/triggers/{x}', 'agent', MISSING],
  ['PUT', '/triggers/{x}', 'admin', MISSING, { body: { trigger: { title: 'x' } } }],
  ['DELETE', '/triggers/{x}', 'admin', MISSING],
  ['GET', '/automations', 'agent', OK],
  ['POST', '/automations', 'admin', INVALID, { body: { automation: { title: 'x' } } }],
  ['GET', '/automations/active', 'agent', OK],
  ['GET', '/automations/{x}', 'agent', MISSING],
  ['PUT', '/automations/{x}', 'admin', MISSING, { body: { automation: { title: 'x' } } }],
  ['DELETE', '/automations/{x}', 'admin', MISSING],
  ['POST', '/sonnim/automations/run', 'admin', INVALID, { body: { now: 'yesterday' } }],
  ['GET', '/groups', 'agent', OK],
  ['POST', '/groups', 'admin', INVALID, { body: { group: {} } }],
  ['GET', '/groups/{g}', 'agent', OK],
  ['PUT', '/groups/{x}', 'admin', MISSING, { body: { group: { name: 'x' } } }],
  ['DELETE', '/groups/{x}', 'admin', MISSING],
  ['GET', '/groups/{g}/users', 'agent', OK],
  ['GET', '/groups/{g}/memberships', 'agent', OK],
  ['GET', '/groups/{g}/memberships/assignable', 'agent', OK],
  ['GET', '/groups/count', 'agent', OK],
  ['GET', '/groups/assignable', 'agent', OK],
  ['GET', '/group_memberships/assignable', 'agent', OK],
  ['GET', '/group_memberships', 'agent', OK],
  ['POST', '/group_memberships', 'admin', INVALID, { body: { group_membership: {} } }],
  ['GET', '/group_memberships/{m}', 'agent', OK],
  ['DELETE', '/group_memberships/{x}', 'admin', MISSING],
  // ticket fields
  ['GET', '/ticket_fields', 'agent', OK],
  ['POST', '/ticket_fields', 'admin', INVALID, { body: { ticket_field: {} } }],
  ['GET', '/ticket_fields/{f}', 'agent', OK],
  ['PUT', '/ticket_fields/{x}', 'admin', MISSING, { body: { ticket_field: { title: 'x' } } }],
  ['DELETE', '/ticket_fields/{x}', 'admin', MISSING],
  ['GET', '/ticket_fields/count', 'agent', OK],
  ['GET', '/ticket_fields/{x}/options', 'agent', MISSING],
  ['POST', '/ticket_fields/{x}/options', 'admin', MISSING, { body: { custom_field_option: { name: 'x', value: 'x' } } }],
  ['GET', '/ticket_fields/{x}/options/{x}', 'agent', MISSING],
  ['DELETE', '/ticket_fields/{x}/options/{x}', 'admin', MISSING],
  // uploads and attachments
  ['POST', '/uploads', 'end-user', [201], { upload: true }],
  ['DELETE', '/uploads/no-such-upload-token', 'end-user', MISSING],
  ['GET', '/attachments/{x}', 'agent', MISSING],
  ['GET', '/attachments/{x}/content', 'end-user', MISSING, { fetch: true }],
  // tags, search, export
  ['GET', '/tags', 'agent', OK],
  ['GET', '/search', 'agent', OK, { query: { query: '배송' } }],
  ['GET', '/search/count', 'agent', OK, { query: { query: '배송' } }],
  ['GET', '/incremental/tickets/cursor', 'admin', OK, { query: { start_time: 0 } }],
  // email channel
  ['POST', '/sonnim/mail/inbound', 'admin', [400], { fetch: true }],
  ['GET', '/sonnim/mail/inbound', 'admin', OK],
  ['GET', '/sonnim/mail/inbound/{x}', 'admin', MISSING],
  ['GET', '/sonnim/mail/inbound/{x}/raw', 'admin', MISSING, { fetch: true }],
  ['POST', '/sonnim/mail/inbound/{x}/reprocess', 'admin', MISSING],
  ['GET', '/recipient_addresses', 'admin', OK],
  ['POST', '/recipient_addresses', 'admin', INVALID, { body: { recipient_address: { email: 'nope' } } }],
  ['GET', '/recipient_addresses/{x}', 'admin', MISSING],
  ['PUT', '/recipient_addresses/{x}', 'admin', MISSING, { body: { recipient_address: { name: 'x' } } }],
  ['DELETE', '/recipient_addresses/{x}', 'admin', MISSING],
  ['GET', '/sonnim/imap_accounts', 'admin', OK],
  ['POST', '/sonnim/imap_accounts', 'admin', INVALID, { body: { imap_account: {} } }],
  ['POST', '/sonnim/imap_accounts/poll', 'admin', OK],
  ['GET', '/sonnim/imap_accounts/{x}', 'admin', MISSING],
  ['PUT', '/sonnim/imap_accounts/{x}', 'admin', MISSING, { body: { imap_account: { active: false } } }],
  ['DELETE', '/sonnim/imap_accounts/{x}', 'admin', MISSING],
  // help center ({l} a locale): anyone reads, admins manage categories and
  // sections, agents write articles and translations, signed-in users vote
  ['GET', '/help_center/categories', 'public', OK],
  ['GET', '/help_center/{l}/categories', 'public', OK],
  ['POST', '/help_center/categories', 'admin', INVALID, { body: { category: {} } }],
  ['POST', '/help_center/{l}/categories', 'admin', INVALID, { body: { category: {} } }],
  ['GET', '/help_center/categories/{x}', 'public', MISSING],
  ['GET', '/help_center/{l}/categories/{x}', 'public', MISSING],
  ['PUT', '/help_center/categories/{x}', 'admin', MISSING, { body: { category: { position: 1 } } }],
  ['PUT', '/help_center/{l}/categories/{x}', 'admin', MISSING, { body: { category: { position: 1 } } }],
  ['DELETE', '/help_center/categories/{x}', 'admin', MISSING],
  ['GET', '/help_center/sections', 'public', OK],
  ['GET', '/help_center/{l}/sections', 'public', OK],
  ['GET', '/help_center/categories/{x}/sections', 'public', MISSING],
  ['GET', '/help_center/{l}/categories/{x}/sections', 'public', MISSING],
  ['POST', '/help_center/categories/{x}/sections', 'admin', MISSING, { body: { section: { name: 'x' } } }],
  ['POST', '/help_center/{l}/categories/{x}/sections', 'admin', MISSING, { body: { section: { name: 'x' } } }],
  ['GET', '/help_center/sections/{x}', 'public', MISSING],
  ['GET', '/help_center/{l}/sections/{x}', 'public', MISSING],
  ['PUT', '/help_center/sections/{x}', 'admin', MISSING, { body: { section: { position: 1 } } }],
  ['PUT', '/help_center/{l}/sections/{x}', 'admin', MISSING, { body: { section: { position: 1 } } }],
  ['DELETE', '/help_center/sections/{x}', 'admin', MISSING],
  ['GET', '/help_center/articles/search', 'public', OK, { query: { query: '배송' } }],
  ['GET', '/help_center/articles', 'public', OK],
  ['GET', '/help_center/{l}/articles', 'public', OK],
  ['GET', '/help_center/sections/{x}/articles', 'public', MISSING],
  ['GET', '/help_center/{l}/sections/{x}/articles', 'public', MISSING],
  ['GET', '/help_center/categories/{x}/articles', 'public', MISSING],
  ['GET', '/help_center/{l}/categories/{x}/articles', 'public', MISSING],
  ['POST', '/help_center/sections/{x}/articles', 'agent', MISSING, { body: { article: { title: 'x' } } }],
  ['POST', '/help_center/{l}/sections/{x}/articles', 'agent', MISSING, { body: { article: { title: 'x' } } }],
  ['GET', '/help_center/articles/{x}', 'public', MISSING],
  ['GET', '/help_center/{l}/articles/{x}', 'public', MISSING],
  ['PUT', '/help_center/articles/{x}', 'agent', MISSING, { body: { article: { position: 1 } } }],
  ['PUT', '/help_center/{l}/articles/{x}', 'agent', MISSING, { body: { article: { position: 1 } } }],
  ['DELETE', '/help_center/articles/{x}', 'agent', MISSING],
  ['GET', '/help_center/articles/{x}/translations', 'public', MISSING],
  ['POST', '/help_center/articles/{x}/translations', 'agent', MISSING, { body: { translation: { locale: 'ko', title: 'x' } } }],
  ['GET', '/help_center/articles/{x}/translations/{l}', 'public', MISSING],
  ['PUT', '/help_center/articles/{x}/translations/{l}', 'agent', MISSING, { body: { translation: { title: 'x' } } }],
  ['DELETE', '/help_center/translations/{x}', 'agent', MISSING],
  ['GET', '/help_center/articles/{x}/votes', 'agent', OK],
  ['POST', '/help_center/articles/{x}/up', 'end-user', MISSING, { body: {} }],
  ['POST', '/help_center/articles/{x}/down', 'end-user', MISSING, { body: {} }],
  ['GET', '/sonnim/help_center/search_misses', 'agent', OK],
  // community (Help Center API: topics, posts, comments, votes, follows)
  ['GET', '/community/topics', 'public', OK],
  ['POST', '/community/topics', 'admin', INVALID, { body: { topic: {} } }],
  ['GET', '/community/topics/{x}', 'public', MISSING],
  ['PUT', '/community/topics/{x}', 'admin', MISSING, { body: { topic: { position: 1 } } }],
  ['DELETE', '/community/topics/{x}', 'admin', MISSING],
  ['GET', '/community/topics/{x}/posts', 'public', MISSING],
  ['GET', '/community/topics/{x}/subscriptions', 'end-user', MISSING],
  ['POST', '/community/topics/{x}/subscriptions', 'end-user', MISSING, { body: {} }],
  ['DELETE', '/community/topics/{x}/subscriptions/{x}', 'end-user', MISSING],
  ['GET', '/community/posts', 'public', OK],
  ['POST', '/community/posts', 'end-user', INVALID, { body: { post: {} } }],
  ['GET', '/community/posts/{x}', 'public', MISSING],
  ['PUT', '/community/posts/{x}', 'end-user', MISSING, { body: { post: { title: 'x' } } }],
  ['DELETE', '/community/posts/{x}', 'end-user', MISSING],
  ['POST', '/community/posts/{x}/up', 'end-user', MISSING, { body: {} }],
  ['POST', '/community/posts/{x}/down', 'end-user', MISSING, { body: {} }],
  ['DELETE', '/community/posts/{x}/votes', 'end-user', MISSING],
  ['GET', '/community/posts/{x}/votes', 'agent', OK],
  ['GET', '/community/posts/{x}/comments', 'public', MISSING],
  ['POST', '/community/posts/{x}/comments', 'end-user', MISSING, { body: { comment: { body: 'x' } } }],
  ['GET', '/community/posts/{x}/comments/{x}', 'public', MISSING],
  ['PUT', '/community/posts/{x}/comments/{x}', 'end-user', MISSING, { body: { comment: { body: 'x' } } }],
  ['DELETE', '/community/posts/{x}/comments/{x}', 'end-user', MISSING],
  ['POST', '/community/posts/{x}/comments/{x}/up', 'end-user', MISSING, { body: {} }],
  ['POST', '/community/posts/{x}/comments/{x}/down', 'end-user', MISSING, { body: {} }],
  ['GET', '/community/posts/{x}/comments/{x}/votes', 'agent', OK],
  ['GET', '/community/posts/{x}/subscriptions', 'end-user', MISSING],
  ['POST', '/community/posts/{x}/subscriptions', 'end-user', MISSING, { body: {} }],
  ['DELETE', '/community/posts/{x}/subscriptions/{x}', 'end-user', MISSING],
  ['GET', '/community/users/{u}/posts', 'public', OK],
  ['GET', '/community/users/{u}/comments', 'public', OK],
  ['POST', '/sonnim/community/posts/{x}/ticket', 'agent', MISSING, { body: {} }],
  ['POST', '/sonnim/community/posts/{x}/article', 'agent', INVALID, { body: {} }],
  ['GET', '/sonnim/tickets/{t}/viewed_articles', 'agent', OK],
  ['POST', '/sonnim/tickets/{t}/article_draft', 'agent', INVALID, { body: { article: {} } }],
  ['POST', '/sonnim/tickets/{x}/article_requests', 'agent', MISSING, { body: { article_request: {} } }],
  ['GET', '/sonnim/help_center/article_requests', 'agent', OK],
  ['GET', '/ticket_forms', 'agent', OK],
  ['POST', '/ticket_forms', 'admin', INVALID, { body: { ticket_form: {} } }],
  ['GET', '/ticket_forms/{x}', 'agent', MISSING],
  ['PUT', '/ticket_forms/{x}', 'admin', MISSING, { body: { ticket_form: { name: 'x' } } }],
  ['DELETE', '/ticket_forms/{x}', 'admin', MISSING],
  ['PUT', '/sonnim/help_center/article_requests/{x}', 'agent', MISSING, { body: { article_request: { status: 'done' } } }],
  // webhooks (admins only, as in Zendesk)
  ['GET', '/webhooks', 'admin', OK],
  ['POST', '/webhooks', 'admin', INVALID, { body: { webhook: {} } }],
  ['POST', '/webhooks/test', 'admin', INVALID, { body: { webhook: { name: 'x', endpoint: 'ftp://x', subscriptions: ['conditional_ticket_events'] } } }],
  ['GET', '/webhooks/{x}', 'admin', MISSING],
  ['PUT', '/webhooks/{x}', 'admin', MISSING, { body: { webhook: { name: 'x' } } }],
  ['PATCH', '/webhooks/{x}', 'admin', MISSING, { body: { webhook: { name: 'x' } } }],
  ['DELETE', '/webhooks/{x}', 'admin', MISSING],
  ['GET', '/webhooks/{x}/signing_secret', 'admin', MISSING],
  ['POST', '/webhooks/{x}/signing_secret', 'admin', MISSING],
  ['GET', '/webhooks/{x}/invocations', 'admin', MISSING],
  ['GET', '/webhooks/{x}/invocations/{x}/attempts', 'admin', MISSING],
  ['POST', '/webhooks/{x}/test', 'admin', MISSING, { body: {} }],
  // proactive messaging: agents read banners, prompts and campaigns, admins
  // write them; the page endpoint and the unsubscribe page are public (the
  // unsubscribe page needs its signed token, never a login)
  ['GET', '/sonnim/banners', 'agent', OK],
  ['POST', '/sonnim/banners', 'admin', INVALID, { body: { banner: {} } }],
  ['GET', '/sonnim/banners/{x}', 'agent', MISSING],
  ['PUT', '/sonnim/banners/{x}', 'admin', MISSING, { body: { banner: { text: 'x' } } }],
  ['PATCH', '/sonnim/banners/{x}', 'admin', MISSING, { body: { banner: { text: 'x' } } }],
  ['DELETE', '/sonnim/banners/{x}', 'admin', MISSING],
  ['GET', '/sonnim/proactive_prompts', 'agent', OK],
  ['POST', '/sonnim/proactive_prompts', 'admin', INVALID, { body: { proactive_prompt: {} } }],
  ['GET', '/sonnim/proactive_prompts/{x}', 'agent', MISSING],
  ['PUT', '/sonnim/proactive_prompts/{x}', 'admin', MISSING, { body: { proactive_prompt: { message: 'x' } } }],
  ['PATCH', '/sonnim/proactive_prompts/{x}', 'admin', MISSING, { body: { proactive_prompt: { message: 'x' } } }],
  ['DELETE', '/sonnim/proactive_prompts/{x}', 'admin', MISSING],
  ['GET', '/sonnim/campaigns', 'agent', OK],
  ['POST', '/sonnim/campaigns', 'admin', INVALID, { body: { campaign: {} } }],
  ['GET', '/sonnim/campaigns/{x}', 'agent', MISSING],
  ['PUT', '/sonnim/campaigns/{x}', 'admin', MISSING, { body: { campaign: { name: 'x' } } }],
  ['PATCH', '/sonnim/campaigns/{x}', 'admin', MISSING, { body: { campaign: { name: 'x' } } }],
  ['DELETE', '/sonnim/campaigns/{x}', 'admin', MISSING],
  ['POST', '/sonnim/campaigns/{x}/send_now', 'admin', MISSING],
  ['GET', '/sonnim/campaigns/{x}/deliveries', 'agent', MISSING],
  ['GET', '/sonnim/campaigns/{x}/preview', 'admin', MISSING, { query: { user_id: '{u}' } }],
  ['GET', '//messenger/v1/sites/{x}/proactive', 'public', [400]], // no ?url=
  ['GET', '//hc/unsubscribe', 'public', [403]],
  ['POST', '//hc/unsubscribe', 'public', [403]],
  // the public help center pages (HTML; fetch follows /hc's redirect)
  ['GET', '//hc', 'public', OK],
  ['GET', '//hc/{l}', 'public', OK],
  ['GET', '//hc/{l}/categories/{x}', 'public', MISSING],
  ['GET', '//hc/{l}/sections/{x}', 'public', MISSING],
  ['GET', '//hc/{l}/articles/{x}', 'public', MISSING],
  ['POST', '//hc/{l}/articles/{x}/vote', 'public', MISSING],
  ['GET', '//hc/{l}/articles/{x}/flow', 'public', MISSING],
  ['GET', '//hc/{l}/answers/{x}', 'public', MISSING],
  ['POST', '//hc/{l}/answers/{x}', 'public', MISSING],
  ['GET', '//hc/{l}/search', 'public', OK],
  // community pages (forms need the session's CSRF token: none here)
  ['GET', '//hc/{l}/community', 'public', OK],
  ['GET', '//hc/{l}/community/topics', 'public', OK],
  ['GET', '//hc/{l}/community/topics/{x}', 'public', MISSING],
  ['POST', '//hc/{l}/community/topics/{x}', 'public', [403]],
  ['GET', '//hc/{l}/community/posts/new', 'public', OK],
  ['POST', '//hc/{l}/community/posts', 'public', [403]],
  ['GET', '//hc/{l}/community/posts/{x}', 'public', MISSING],
  ['POST', '//hc/{l}/community/posts/{x}', 'public', [403]],
  // customer portal pages
  ['GET', '//hc/assets/suggest.js', 'public', OK],
  ['GET', '//hc/{l}/signin', 'public', OK],
  ['POST', '//hc/{l}/signin', 'public', [403]],
  ['POST', '//hc/{l}/signin/link', 'public', [403]],
  ['GET', '//hc/{l}/signin/token', 'public', MISSING],
  ['GET', '//hc/{l}/requests', 'public', [200, 303]],
  ['GET', '//hc/{l}/requests/new', 'public', OK],
  ['POST', '//hc/{l}/requests/new', 'public', [403]],
  ['GET', '//hc/{l}/requests/{x}', 'public', MISSING],
  ['POST', '//hc/{l}/requests/{x}', 'public', MISSING],
  ['GET', '//hc/{l}/requests/{x}/attachments/{x}', 'public', MISSING],
  // answer bot
  ['POST', '/answer_bot/answers', 'public', INVALID, { body: { enquiry: '' } }],
  ['POST', '/answer_bot/resolution', 'public', INVALID, { body: { article_id: X } }],
  ['POST', '/answer_bot/rejection', 'public', INVALID, { body: { article_id: X } }],
  ['POST', '/answer_bot/click', 'public', INVALID, { body: { article_id: X } }],
  // web messenger: the widget's files and public API (a conversation
  // needs its bearer token: 401 without), agents' signals, admins' sites
  ['GET', '//messenger/widget.js', 'public', OK],
  ['GET', '//messenger/frame.js', 'public', OK],
  ['GET', '//messenger/frame', 'public', MISSING],
  ['GET', '//messenger/v1/sites/{k}', 'public', MISSING],
  ['POST', '//messenger/v1/sites/{k}/conversations', 'public', MISSING, { body: { body: 'x' } }],
  ['POST', '//messenger/v1/sites/{k}/identify', 'public', MISSING, { body: {} }],
  ['GET', '//messenger/v1/conversations/{x}/messages', 'public', [401]],
  ['POST', '//messenger/v1/conversations/{x}/messages', 'public', [401], { body: { body: 'x' } }],
  ['POST', '//messenger/v1/conversations/{x}/uploads', 'public', [401], { body: {} }],
  ['GET', '//messenger/v1/conversations/{x}/attachments/{x}', 'public', [401]],
  ['POST', '//messenger/v1/conversations/{x}/typing', 'public', [401], { body: {} }],
  ['POST', '//messenger/v1/conversations/{x}/read', 'public', [401], { body: {} }],
  ['GET', '//messenger/v1/conversations/{x}/stream', 'public', [401]],
  ['POST', '//messenger/v1/conversations/{x}/handoff', 'public', [401], { body: {} }],
  ['POST', '//messenger/v1/conversations/{x}/solved', 'public', [401], { body: {} }],
  ['POST', '//messenger/v1/conversations/{x}/click', 'public', [401], { body: {} }],
  // CORS preflights: no Origin is no cross-origin call (204, no CORS
  // headers); the site's key must exist (404)
  ['OPTIONS', '//messenger/v1/sites/{k}', 'public', MISSING],
  ['OPTIONS', '//messenger/v1/sites/{k}/conversations', 'public', MISSING],
  ['OPTIONS', '//messenger/v1/sites/{k}/identify', 'public', MISSING],
  ['OPTIONS', '//messenger/v1/conversations/{x}/messages', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/uploads', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/attachments/{x}', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/typing', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/read', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/stream', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/handoff', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/solved', 'public', [204]],
  ['OPTIONS', '//messenger/v1/conversations/{x}/click', 'public', [204]],
  ['POST', '/sonnim/tickets/{x}/signals', 'agent', MISSING, { body: { kind: 'viewing' } }],
  ['GET', '/sonnim/messenger/stats', 'agent', OK],
  ['GET', '/sonnim/messenger/sites', 'admin', OK],
  ['POST', '/sonnim/messenger/sites', 'admin', INVALID, { body: { site: {} } }],
  ['GET', '/sonnim/messenger/sites/{x}', 'admin', MISSING],
  ['PUT', '/sonnim/messenger/sites/{x}', 'admin', MISSING, { body: { site: {} } }],
  ['DELETE', '/sonnim/messenger/sites/{x}', 'admin', MISSING],
  // business hours: agents read, admins write
  ['GET', '/business_hours/schedules', 'agent', OK],
  ['POST', '/business_hours/schedules', 'admin', INVALID, { body: { schedule: { name: 'x' } } }],
  ['GET', '/business_hours/schedules/{x}', 'agent', MISSING],
  ['PUT', '/business_hours/schedules/{x}', 'admin', MISSING, { body: { schedule: { name: 'x' } } }],
  ['DELETE', '/business_hours/schedules/{x}', 'admin', MISSING],
  ['PUT', '/business_hours/schedules/{x}/workweek', 'admin', MISSING, { body: { workweek: { intervals: [] } } }],
  ['GET', '/business_hours/schedules/{x}/holidays', 'agent', MISSING],
  ['POST', '/business_hours/schedules/{x}/holidays', 'admin', MISSING, { body: { holiday: { name: 'x', start_date: '2026-01-01', end_date: '2026-01-01' } } }],
  ['GET', '/business_hours/schedules/{x}/holidays/{x}', 'agent', MISSING],
  ['PUT', '/business_hours/schedules/{x}/holidays/{x}', 'admin', MISSING, { body: { holiday: { name: 'x' } } }],
  ['DELETE', '/business_hours/schedules/{x}/holidays/{x}', 'admin', MISSING],
  // SLA policies: admins only, as in Zendesk
  ['GET', '/slas/policies', 'admin', OK],
  ['POST', '/slas/policies', 'admin', INVALID, { body: { sla_policy: {} } }],
  ['PUT', '/slas/policies/reorder', 'admin', INVALID, { body: { sla_policy_ids: [X] } }],
  ['GET', '/slas/policies/{x}', 'admin', MISSING],
  ['PUT', '/slas/policies/{x}', 'admin', MISSING, { body: { sla_policy: { title: 'x' } } }],
  ['DELETE', '/slas/policies/{x}', 'admin', MISSING],
  // CSAT: the list and show are admins' (Zendesk's); rating is the
  // requester's (others get 403 from the handler); the survey page needs
  // its token, never a login (403 without one)
  ['GET', '/satisfaction_ratings', 'admin', OK],
  ['GET', '/satisfaction_ratings/{x}', 'admin', MISSING],
  ['POST', '/tickets/{x}/satisfaction_rating', 'end-user', MISSING, { body: { satisfaction_rating: { score: 'good' } } }],
  ['GET', '//hc/requests/{x}/satisfaction', 'public', [403]],
  ['POST', '//hc/requests/{x}/satisfaction', 'public', [403], { body: {} }],
].map(([method, p, min, ok, opt = {}]) => ({ method, path: p, min, ok, ...opt }));

let ctx;

function fill(s) {
  return String(s).replace(/\{(\w)\}/g, (_, k) => String(ctx[k]));
}

function fillDeep(v) {
  if (typeof v === 'string') return fill(v);
  if (Array.isArray(v)) return v.map(fillDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x)]));
  return v;
}

// Send one entry's request as role; return {status, body}.
async function send(e, role) {
  const who = WHO[role];
  const p = fill(e.path);
  if (p.startsWith('//') || e.fetch) {
    // plain fetch: /healthz and /metrics live outside /api/v2, and a file
    // download is not JSON; node-zendesk can express neither
    const url = p.startsWith('//') ? p.slice(1) : `/api/v2${p}`;
    const r = await rawFetch(url, { method: e.method, who, headers: e.body ? { 'Content-Type': 'application/json' } : {},
      body: e.body ? JSON.stringify(fillDeep(e.body)) : undefined });
    return { status: r.status, body: r.body ?? r.text.slice(0, 200) };
  }
  const c = client(who);
  if (e.upload) {
    return call(c, c.attachments.upload(Readable.from([Buffer.from('matrix')]), { filename: 'matrix.txt', binary: true }));
  }
  const segs = p.slice(1).split('/');
  if (e.query) segs.push(fillDeep(e.query));
  const args = e.body ? [fillDeep(e.body)] : [];
  return call(c, c.tickets.request(e.method, segs, ...args));
}

function expectation(e, role) {
  if (e.min === 'public' || RANK[role] >= RANK[e.min]) return { allowed: true, statuses: e.ok };
  return { allowed: false, statuses: [role === 'anonymous' ? 401 : 403] };
}

describe('permission matrix: endpoint × role', () => {
  before(async () => {
    const s = await env();
    const d = await demo();
    const admin = client('admin');
    const enduser = client('enduser');
    const t = await newTicket(enduser, { subject: '권한 표 티켓' });
    const field = await call(admin, admin.ticketfields.create({ ticket_field: { type: 'text', title: '권한 표 필드' } }));
    const memberships = await call(admin, admin.groupmemberships.listByGroup(d.groups.support));
    const idents = await call(admin, admin.useridentities.list(s.people.enduser.id));
    ctx = {
      t: t.id,
      u: s.people.enduser.id,
      a: s.people.agent.id,
      o: d.orgs.hanbit,
      g: d.groups.support,
      f: field.status === 201 ? field.result.id : X,
      m: Array.isArray(memberships.result) && memberships.result.length ? memberships.result[0].id : X,
      i: Array.isArray(idents.result) && idents.result.length ? idents.result[0].id : X,
      x: X,
      l: 'en-us',
      k: 'nosuchsite',
    };
  });

  for (const e of ENDPOINTS) {
    test(`${e.method} ${e.path} (least role: ${e.min})`, async () => {
      const wrong = [];
      for (const role of ROLES) {
        const r = await send(e, role);
        const want = expectation(e, role);
        const missingRoute = r.status === 405 || (r.status === 404 && r.body && r.body.error === 'InvalidEndpoint');
        let good = want.statuses.includes(r.status) && !missingRoute;
        if (want.allowed && [401, 403].includes(r.status) && !want.statuses.includes(r.status)) good = false;
        if (!good) {
          wrong.push(`${role}: want ${want.allowed ? 'allowed' : 'denied'} ${want.statuses.join('/')}, got ${show(r)}`);
        }
      }
      assert.deepEqual(wrong, [], `\n  ${wrong.join('\n  ')}`);
    });
  }

  test('every route in src/api/*.c is in the matrix', () => {
    const dir = path.join(ROOT, 'src', 'api');
    const routes = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.c'))) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      const re = /\{\s*((?:M_[A-Z]+\s*\|?\s*)+),\s*"([^"]+)",\s*(PUBLIC|ROLE_[A-Z_]+)/g;
      let m;
      while ((m = re.exec(src))) {
        for (const meth of m[1].split('|').map((x) => x.trim().slice(2))) routes.push({ method: meth, pattern: m[2], role: m[3], file: f });
      }
    }
    assert.ok(routes.length > 10, `found ${routes.length} routes`);
    const norm = (p) => p.replace(/\{[a-z]+\}/g, '{}').replace(/\/[0-9a-z_-]*-token$/, '/{}').replace(/\.json$/, '');
    const known = new Set(ENDPOINTS.map((e) => `${e.method} ${norm(e.path.startsWith('//') ? e.path.slice(1) : `/api/v2${e.path}`)}`));
    const missing = routes.filter((r) => !known.has(`${r.method} ${norm(r.pattern)}`))
      .map((r) => `${r.method} ${r.pattern} (${r.role}, ${r.file})`);
    assert.deepEqual(missing, [], `routes with no row in ENDPOINTS:\n  ${missing.join('\n  ')}`);
  });
});

describe('what each role sees', () => {
  test('an end-user lists only their own tickets', async () => {
    const minsu = client('minsu');
    const d = await demo();
    const mine = await minsu.tickets.list();
    assert.ok(mine.length >= 2, JSON.stringify(mine.map((t) => t.subject)));
    assert.ok(mine.every((t) => t.requester_id === d.users.minsu || (t.collaborator_ids || []).includes(d.users.minsu)),
      JSON.stringify(mine.map((t) => [t.id, t.requester_id])));
    assert.ok(mine.some((t) => t.subject === '배송 지연 문의'));
  });

  test('an end-user cannot read or change someone else\'s ticket', async () => {
    const minsu = client('minsu');
    const admin = client('admin');
    const d = await demo();
    const before = (await admin.tickets.show(d.tickets.refund.id)).result;
    let r = await call(minsu, minsu.tickets.show(d.tickets.refund.id));
    assert.ok([403, 404].includes(r.status), show(r));
    r = await call(minsu, minsu.tickets.update(d.tickets.refund.id, { ticket: { comment: { body: '남의 티켓에 댓글' } } }));
    assert.ok([403, 404].includes(r.status), show(r));
    r = await call(minsu, minsu.tickets.getComments(d.tickets.refund.id));
    assert.ok([403, 404].includes(r.status), show(r));
    const after = (await admin.tickets.show(d.tickets.refund.id)).result;
    assert.deepEqual(after, before);
  });

  test('an end-user may comment on their own ticket but not reassign or re-prioritize it', async () => {
    const enduser = client('enduser');
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(enduser, { subject: '내 티켓' });
    let r = await call(enduser, enduser.tickets.update(t.id, { ticket: { comment: { body: '추가 정보입니다' } } }));
    assert.equal(r.status, 200, show(r));
    r = await call(enduser, enduser.tickets.update(t.id, { ticket: { assignee_id: d.users.jiwon, priority: 'urgent', group_id: d.groups.billing } }));
    assert.ok([403, 422].includes(r.status) || r.status === 200, show(r));
    const now = (await admin.tickets.show(t.id)).result;
    assert.equal(now.assignee_id, null, 'the end-user did not assign the ticket');
    assert.notEqual(now.priority, 'urgent');
    assert.notEqual(now.group_id, d.groups.billing);
  });

  test('an end-user cannot post an internal note or comment as someone else', async () => {
    const enduser = client('enduser');
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(enduser, { subject: '내부 메모 금지' });
    const r = await call(enduser, enduser.tickets.update(t.id, { ticket: { comment: { body: '몰래 메모', public: false, author_id: d.users.jiwon } } }));
    const comments = await admin.tickets.getComments(t.id);
    const last = comments.at(-1);
    if (r.status === 200) {
      assert.equal(last.public, true, 'an end-user\'s comment is public');
      assert.notEqual(last.author_id, d.users.jiwon, 'an end-user cannot write as an agent');
    } else {
      assert.ok([403, 422].includes(r.status), show(r));
      assert.equal(comments.length, 1);
    }
  });

  test('an end-user creating a ticket for someone else makes it their own', async () => {
    const enduser = client('enduser');
    const s = await env();
    const d = await demo();
    const r = await call(enduser, enduser.tickets.create({ ticket: { subject: '남의 이름으로', comment: { body: 'x' }, requester_id: d.users.jane } }));
    if (r.status === 201) assert.equal(r.result.requester_id, s.people.enduser.id);
    else assert.ok([403, 422].includes(r.status), show(r));
  });
});
