// community.test.mjs - the community forum (/api/v2/community/...) in
// Zendesk's Help Center API shapes against the real server: topics (admins
// manage them), posts and comments (end-users write their own, agents
// moderate), official answers, votes that count once per person, follows,
// moderation (pending for new users, spam hides, closed posts refuse
// comments), segment-restricted topics, a post turned into a ticket or a
// draft article, and a corpus of script payloads that must come back inert
// in the `details`/`body` HTML the API hands out.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

const s = await env();

const CM = '/api/v2/community';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const post = (who, p, body) => rawFetch(`${CM}${p}`, { method: 'POST', who, ...j(body ?? {}) });
const put = (who, p, body) => rawFetch(`${CM}${p}`, { method: 'PUT', who, ...j(body) });
const get = (who, p) => rawFetch(`${CM}${p}`, { who });
const del = (who, p) => rawFetch(`${CM}${p}`, { method: 'DELETE', who });
const me = async (who) => (await rawFetch('/api/v2/users/me.json', { who })).body.user;

// Classic script payloads: none may survive as markup that runs.
export const XSS_CORPUS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab entity</a>',
  '[md link](javascript:alert(1))',
  '![md image](javascript:alert(1))',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<div style="background:url(javascript:alert(1))">style url</div>',
  '<p style="width: expression(alert(1))">style expression</p>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<input autofocus onfocus=alert(1)>',
  '"><script>alert(1)</script>',
  '<details open ontoggle=alert(1)>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
];

// Is this HTML inert?  No script-capable element, no event handler, no
// javascript:/data: URL, no style attribute (CSS expressions, url()).
export function assertInert(html, what) {
  const h = html.toLowerCase();
  for (const bad of ['<script', '<iframe', '<object', '<embed', '<svg', '<math', '<form', '<input', '<meta', '<style',
    '<body', '<base', '<link'])
    assert.ok(!h.includes(bad), `${what}: ${bad} in ${html}`);
  assert.ok(!/<[^>]*\son[a-z]+\s*=/.test(h), `${what}: event handler in ${html}`);
  assert.ok(!/(href|src|action|data)\s*=\s*["']?\s*(javascript|data|vbscript):/.test(h), `${what}: script URL in ${html}`);
  assert.ok(!/<[^>]*\sstyle\s*=/.test(h), `${what}: style attribute in ${html}`);
}

let tag, open, newbies, reviewed, staffOnly, question, endUser, endUser2, minsu, agent;

describe('community API', () => {
  before(async () => {
    tag = uniq('cm');
    [endUser, endUser2, minsu, agent] = await Promise.all(['enduser', 'enduser2', 'minsu', 'agent'].map(me));
    const mk = async (topic) => {
      const r = await post('admin', '/topics.json', { topic });
      assert.equal(r.status, 201, r.text);
      return r.body.topic;
    };
    open = await mk({ name: `배송 질문 ${tag}`, description: '배송에 대해 묻고 답해요', position: 2 });
    newbies = await mk({ name: `New users wait ${tag}`, moderation: 'new_users' });
    reviewed = await mk({ name: `Every post reviewed ${tag}`, moderation: 'all' });
    staffOnly = await mk({ name: `Agents only ${tag}`, user_segment_id: 1 });
    const r = await post('enduser', '/posts.json', {
      post: { title: `택배가 안 와요 ${tag}`, details: '주문한 지 **일주일**이 지났어요.\n\n<script>alert(1)</script>', topic_id: open.id },
    });
    assert.equal(r.status, 201, r.text);
    question = r.body.post;
  });

  test('topics and posts have Zendesk\'s shape', async () => {
    for (const k of ['id', 'url', 'html_url', 'name', 'description', 'position', 'follower_count', 'manageable_by',
      'user_segment_id', 'created_at', 'updated_at']) assert.ok(k in open, `topic.${k}`);
    assert.match(open.url, /\/api\/v2\/community\/topics\/\d+\.json$/);
    assert.match(open.html_url, /\/hc\/en-us\/community\/topics\/\d+$/);
    assert.equal(open.manageable_by, 'managers');
    assert.equal(open.moderation, 'off');
    assert.equal(newbies.moderation, 'new_users');
    for (const k of ['id', 'url', 'html_url', 'title', 'details', 'author_id', 'topic_id', 'status', 'featured', 'pinned',
      'closed', 'vote_sum', 'vote_count', 'comment_count', 'follower_count', 'created_at', 'updated_at',
      'non_author_editor_id', 'content_tag_ids']) assert.ok(k in question, `post.${k}`);
    assert.equal(question.author_id, endUser.id);
    assert.equal(question.topic_id, open.id);
    assert.equal(question.status, 'none');
    assert.equal(question.closed, false);
    assert.equal(question.moderation_state, 'published');
    assert.match(question.details, /<strong>일주일<\/strong>/);
    assert.ok(!question.details.includes('<script'), question.details);
    assert.equal(question.follower_count, 1, 'the author follows their post');
    const r = await get('anonymous', `/topics/${open.id}.json`);
    assert.equal(r.status, 200);
    assert.equal(r.body.topic.post_count, 1);
  });

  test('admins manage topics; agents and end-users do not', async () => {
    assert.equal((await post('enduser', '/topics.json', { topic: { name: 'x' } })).status, 403);
    assert.equal((await post('agent', '/topics.json', { topic: { name: 'x' } })).status, 403);
    assert.equal((await post('anonymous', '/topics.json', { topic: { name: 'x' } })).status, 401);
    let r = await put('admin', `/topics/${open.id}.json`, { topic: { description: '바뀐 설명' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.topic.description, '바뀐 설명');
    assert.equal(r.body.topic.name, open.name);
    r = await post('admin', '/topics.json', { topic: { description: 'no name' } });
    assert.equal(r.status, 422);
    r = await post('admin', '/topics.json', { topic: { name: 'x', moderation: 'sometimes' } });
    assert.equal(r.status, 422);
    assert.match(r.text, /moderation/);
    r = await post('admin', '/topics.json', { topic: { name: 'to delete' } });
    assert.equal((await del('admin', `/topics/${r.body.topic.id}.json`)).status, 204);
    assert.equal((await get('admin', `/topics/${r.body.topic.id}.json`)).status, 404);
  });

  test('end-users write their own posts; moderation fields are for agents', async () => {
    let r = await post('enduser', '/posts.json', { post: { title: 'pin me', topic_id: open.id, pinned: true } });
    assert.equal(r.status, 403);
    r = await post('enduser', '/posts.json', { post: { title: 'as someone else', topic_id: open.id, author_id: minsu.id } });
    assert.equal(r.status, 403);
    r = await put('enduser2', `/posts/${question.id}.json`, { post: { title: 'hijacked' } });
    assert.equal(r.status, 403);
    r = await put('enduser', `/posts/${question.id}.json`, { post: { status: 'completed' } });
    assert.equal(r.status, 403);
    r = await put('enduser', `/posts/${question.id}.json`, { post: { details: '주문한 지 **일주일**이 지났어요. 주문번호 A-1' } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.post.details, /A-1/);
    assert.equal(r.body.post.non_author_editor_id, null);
    r = await put('agent', `/posts/${question.id}.json`, { post: { featured: true, title: `택배가 안 와요 ${tag}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.post.featured, true);
    assert.equal(r.body.post.non_author_editor_id, agent.id);
    r = await post('anonymous', '/posts.json', { post: { title: 'anon', topic_id: open.id } });
    assert.equal(r.status, 401);
  });

  test('bad post bodies get 422, not a half-written post', async () => {
    const before = (await get('admin', `/topics/${open.id}/posts.json`)).body.count;
    for (const [body, field] of [
      [{ post: { topic_id: open.id } }, 'title'],
      [{ post: { title: 'no topic' } }, 'topic_id'],
      [{ post: { title: 'ghost topic', topic_id: 999999 } }, 'topic_id'],
      [{ post: { title: '  ', topic_id: open.id } }, 'title'],
      [{ post: { title: 'x'.repeat(300), topic_id: open.id } }, 'title'],
      [{ post: { title: 'two\nlines', topic_id: open.id } }, 'title'],
      [{ post: { title: ['a'], topic_id: open.id } }, 'title'],
      [{ post: { title: 'x', details: { a: 1 }, topic_id: open.id } }, 'details'],
      [{ post: 'nope' }, 'post'],
      [{}, 'post'],
    ]) {
      const r = await post('enduser', '/posts.json', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.error, 'RecordInvalid');
      assert.match(JSON.stringify(r.body.details), new RegExp(field));
    }
    let r = await put('agent', `/posts/${question.id}.json`, { post: { status: 'maybe' } });
    assert.equal(r.status, 422);
    r = await rawFetch(`${CM}/posts.json`, { method: 'POST', who: 'enduser', headers: { 'Content-Type': 'application/json' }, body: '{"post": {' });
    assert.equal(r.status, 400);
    assert.equal((await get('admin', `/topics/${open.id}/posts.json`)).body.count, before);
  });

  test('votes count once per person; voting again changes nothing', async () => {
    let r = await post('enduser2', `/posts/${question.id}/up.json`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.vote.value, 1);
    assert.equal(r.body.vote.item_type, 'Post');
    assert.equal(r.body.vote.user_id, endUser2.id);
    const first = r.body.vote;
    r = await post('enduser2', `/posts/${question.id}/up.json`);
    assert.equal(r.body.vote.id, first.id);
    let p = (await get('anonymous', `/posts/${question.id}.json`)).body.post;
    assert.deepEqual([p.vote_sum, p.vote_count], [1, 1]);
    await post('minsu', `/posts/${question.id}/up.json`);
    await post('enduser2', `/posts/${question.id}/down.json`);
    p = (await get('anonymous', `/posts/${question.id}.json`)).body.post;
    assert.deepEqual([p.vote_sum, p.vote_count], [0, 2]);
    r = await get('agent', `/posts/${question.id}/votes.json`);
    assert.equal(r.status, 200);
    assert.equal(r.body.count, 2);
    assert.equal((await get('enduser', `/posts/${question.id}/votes.json`)).status, 403);
    assert.equal((await del('enduser2', `/posts/${question.id}/votes.json`)).status, 204);
    p = (await get('anonymous', `/posts/${question.id}.json`)).body.post;
    assert.deepEqual([p.vote_sum, p.vote_count], [1, 1]);
    assert.equal((await post('anonymous', `/posts/${question.id}/up.json`)).status, 401);
    assert.equal((await post('enduser', '/posts/999999/up.json')).status, 404);
  });

  test('an agent\'s official answer marks the question answered and notifies followers', async () => {
    let r = await post('enduser2', `/posts/${question.id}/comments.json`, { comment: { body: '저도 그래요 +1' } });
    assert.equal(r.status, 201, r.text);
    const metoo = r.body.comment;
    assert.equal(metoo.official, false);
    assert.equal(metoo.author_id, endUser2.id);
    r = await post('enduser2', `/posts/${question.id}/comments.json`, { comment: { body: 'official?', official: true } });
    assert.equal(r.status, 403);
    r = await post('agent', `/posts/${question.id}/comments.json`, {
      comment: { body: '확인해 보니 **물류센터** 지연입니다. 내일 도착합니다.', official: true },
    });
    assert.equal(r.status, 201, r.text);
    const answer = r.body.comment;
    assert.equal(answer.official, true);
    assert.match(answer.body, /<strong>물류센터<\/strong>/);
    for (const k of ['id', 'url', 'html_url', 'body', 'author_id', 'post_id', 'official', 'vote_sum', 'vote_count',
      'created_at', 'updated_at']) assert.ok(k in answer, `comment.${k}`);
    const p = (await get('anonymous', `/posts/${question.id}.json`)).body.post;
    assert.equal(p.status, 'answered');
    assert.equal(p.comment_count, 2);
    assert.equal(p.follower_count, 3, 'author + two commenters');
    r = await get('anonymous', `/posts/${question.id}/comments.json`);
    assert.deepEqual(r.body.comments.map((c) => c.id), [metoo.id, answer.id]);
    // one follower notice job per published comment
    const jobs = (await rawFetch('/api/v2/sonnim/jobs.json', { who: 'admin' })).body.jobs
      .filter((x) => x.kind === 'community.notify' && x.payload.post_id === question.id);
    assert.deepEqual(jobs.map((x) => x.payload.comment_id).sort(), [metoo.id, answer.id].sort());
    // comment votes
    r = await post('enduser', `/posts/${question.id}/comments/${answer.id}/up.json`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.vote.item_type, 'PostComment');
    await post('enduser', `/posts/${question.id}/comments/${answer.id}/up.json`);
    r = await get('anonymous', `/posts/${question.id}/comments/${answer.id}.json`);
    assert.deepEqual([r.body.comment.vote_sum, r.body.comment.vote_count], [1, 1]);
    // edits: own comment yes, someone else's no
    assert.equal((await put('enduser', `/posts/${question.id}/comments/${metoo.id}.json`, { comment: { body: 'x' } })).status, 403);
    r = await put('enduser2', `/posts/${question.id}/comments/${metoo.id}.json`, { comment: { body: '저도 같은 문제예요' } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.comment.body, /같은 문제/);
    r = await get('anonymous', `/users/${endUser2.id}/comments.json`);
    assert.ok(r.body.comments.some((c) => c.id === metoo.id));
  });

  test('a closed post refuses new comments with a clear message', async () => {
    let r = await put('agent', `/posts/${question.id}.json`, { post: { closed: true } });
    assert.equal(r.body.post.closed, true);
    for (const who of ['enduser', 'agent']) {
      r = await post(who, `/posts/${question.id}/comments.json`, { comment: { body: 'one more thing' } });
      assert.equal(r.status, 422, r.text);
      assert.match(JSON.stringify(r.body), /closed for comments/);
    }
    r = await put('enduser', `/posts/${question.id}.json`, { post: { closed: false } });
    assert.equal(r.status, 403);
    r = await put('agent', `/posts/${question.id}.json`, { post: { closed: false } });
    assert.equal(r.body.post.closed, false);
    r = await post('enduser', `/posts/${question.id}/comments.json`, { comment: { body: '고맙습니다!' } });
    assert.equal(r.status, 201, r.text);
    r = await post('enduser', `/posts/${question.id}/comments.json`, { comment: { body: '<script>alert(1)</script>' } });
    assert.equal(r.status, 201, r.text);
    assertInert(r.body.comment.body, 'script-only comment');
    for (const body of [' \n ', '<span></span>', '']) {
      r = await post('enduser', `/posts/${question.id}/comments.json`, { comment: { body } });
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    }
  });

  test('a new user\'s first post waits in pending; agents publish it', async () => {
    let r = await post('minsu', '/posts.json', { post: { title: `첫 질문 ${tag}`, details: '안녕하세요', topic_id: newbies.id } });
    assert.equal(r.status, 201, r.text);
    const first = r.body.post;
    assert.equal(first.moderation_state, 'pending');
    assert.equal((await get('anonymous', `/posts/${first.id}.json`)).status, 404);
    assert.equal((await get('enduser', `/posts/${first.id}.json`)).status, 404);
    assert.equal((await get('minsu', `/posts/${first.id}.json`)).status, 200, 'the author sees their pending post');
    assert.ok(!(await get('anonymous', `/topics/${newbies.id}/posts.json`)).body.posts.some((p) => p.id === first.id));
    assert.equal((await post('enduser', `/posts/${first.id}/comments.json`, { comment: { body: 'hi' } })).status, 404);
    assert.equal((await get('enduser', '/posts.json?filter_by=pending')).status, 403);
    r = await get('agent', '/posts.json?filter_by=pending');
    assert.equal(r.status, 200);
    assert.ok(r.body.posts.some((p) => p.id === first.id));
    r = await put('agent', `/posts/${first.id}.json`, { post: { moderation_state: 'published' } });
    assert.equal(r.body.post.moderation_state, 'published');
    assert.equal((await get('anonymous', `/posts/${first.id}.json`)).status, 200);
    r = await post('minsu', '/posts.json', { post: { title: `두 번째 질문 ${tag}`, topic_id: newbies.id } });
    assert.equal(r.body.post.moderation_state, 'published', 'no longer a new user');
    // "all": every end-user post waits; agents' posts do not
    r = await post('enduser', '/posts.json', { post: { title: `검토 대기 ${tag}`, topic_id: reviewed.id } });
    assert.equal(r.body.post.moderation_state, 'pending');
    r = await post('agent', '/posts.json', { post: { title: `공지 ${tag}`, topic_id: reviewed.id, pinned: true } });
    assert.equal(r.body.post.moderation_state, 'published');
    assert.equal(r.body.post.pinned, true);
  });

  test('spam is hidden from everyone but agents', async () => {
    let r = await post('enduser2', '/posts.json', { post: { title: `싸게 팝니다 ${tag}`, details: 'http://spam.example', topic_id: open.id } });
    const spam = r.body.post;
    r = await put('agent', `/posts/${spam.id}.json`, { post: { moderation_state: 'spam' } });
    assert.equal(r.status, 200, r.text);
    for (const who of ['anonymous', 'enduser', 'enduser2'])
      assert.equal((await get(who, `/posts/${spam.id}.json`)).status, 404, who);
    assert.ok(!(await get('enduser2', `/users/${endUser2.id}/posts.json`)).body.posts.some((p) => p.id === spam.id));
    assert.equal((await get('agent', `/posts/${spam.id}.json`)).status, 200);
    r = await get('agent', '/posts.json?filter_by=spam');
    assert.ok(r.body.posts.some((p) => p.id === spam.id));
    assert.equal((await del('enduser', `/posts/${spam.id}.json`)).status, 404);
    assert.equal((await del('agent', `/posts/${spam.id}.json`)).status, 204);
  });

  test('a topic for agents only is invisible to customers', async () => {
    let r = await post('agent', '/posts.json', { post: { title: `내부 ${tag}`, topic_id: staffOnly.id } });
    assert.equal(r.status, 201, r.text);
    const internal = r.body.post;
    assert.equal((await get('anonymous', `/topics/${staffOnly.id}.json`)).status, 404);
    assert.equal((await get('enduser', `/topics/${staffOnly.id}/posts.json`)).status, 404);
    assert.equal((await get('enduser', `/posts/${internal.id}.json`)).status, 404);
    assert.ok(!(await get('enduser', '/topics.json?per_page=100')).body.topics.some((t) => t.id === staffOnly.id));
    assert.ok((await get('agent', '/topics.json?per_page=100')).body.topics.some((t) => t.id === staffOnly.id));
    r = await post('enduser', '/posts.json', { post: { title: 'sneak in', topic_id: staffOnly.id } });
    assert.equal(r.status, 422);
  });

  test('lists page and sort', async () => {
    await post('enduser', `/posts/${question.id}/up.json`);
    let r = await get('anonymous', `/topics/${open.id}/posts.json?sort_by=votes`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.posts[0].id, question.id);
    r = await get('anonymous', `/topics/${open.id}/posts.json?per_page=1`);
    assert.equal(r.body.posts.length, 1);
    assert.ok(r.body.count >= 1);
    r = await get('anonymous', '/posts.json?sort_by=sideways');
    assert.equal(r.status, 400);
    r = await get('anonymous', '/posts.json?filter_by=featured');
    assert.ok(r.body.posts.every((p) => p.featured));
    assert.ok(r.body.posts.some((p) => p.id === question.id));
    r = await get('anonymous', `/users/${endUser.id}/posts.json`);
    assert.ok(r.body.posts.some((p) => p.id === question.id));
    assert.ok(r.body.posts.every((p) => p.author_id === endUser.id && p.moderation_state === 'published'));
    r = await get('anonymous', '/posts.json?page[size]=2');
    assert.equal(r.status, 200);
    assert.ok('meta' in r.body);
  });

  test('following topics and posts', async () => {
    let r = await post('enduser', `/topics/${open.id}/subscriptions.json`);
    assert.equal(r.status, 200, r.text);
    const sub = r.body.subscription;
    assert.equal(sub.content_type, 'Topic');
    assert.equal(sub.user_id, endUser.id);
    r = await post('enduser', `/topics/${open.id}/subscriptions.json`);
    assert.equal(r.body.subscription.id, sub.id, 'following twice is one follow');
    r = await get('anonymous', `/topics/${open.id}.json`);
    assert.equal(r.body.topic.follower_count, 1);
    r = await get('enduser2', `/topics/${open.id}/subscriptions.json`);
    assert.equal(r.body.subscriptions.length, 0, 'an end-user sees only their own follows');
    r = await get('agent', `/topics/${open.id}/subscriptions.json`);
    assert.equal(r.body.subscriptions.length, 1);
    assert.equal((await del('enduser2', `/topics/${open.id}/subscriptions/${sub.id}.json`)).status, 403);
    assert.equal((await del('enduser', `/topics/${open.id}/subscriptions/${sub.id}.json`)).status, 204);
    r = await get('enduser', `/posts/${question.id}/subscriptions.json`);
    assert.equal(r.body.subscriptions.length, 1);
    assert.equal(r.body.subscriptions[0].content_type, 'Post');
    assert.equal((await post('anonymous', `/posts/${question.id}/subscriptions.json`)).status, 401);
  });

  test('an agent turns a post into a ticket for its author', async () => {
    let r = await rawFetch(`/api/v2/sonnim/community/posts/${question.id}/ticket.json`, { method: 'POST', who: 'enduser', ...j({}) });
    assert.equal(r.status, 403);
    r = await rawFetch(`/api/v2/sonnim/community/posts/${question.id}/ticket.json`, { method: 'POST', who: 'agent', ...j({}) });
    assert.equal(r.status, 201, r.text);
    const t = r.body.ticket;
    assert.equal(t.requester_id, endUser.id);
    assert.equal(t.subject, question.title);
    assert.ok(t.tags.includes('community_post'));
    assert.equal(r.body.post.ticket_id, t.id);
    r = await rawFetch(`/api/v2/tickets/${t.id}/comments.json`, { who: 'agent' });
    assert.match(r.body.comments[0].body, new RegExp(`/hc/en-us/community/posts/${question.id}`));
    assert.match(r.body.comments[0].body, /주문번호 A-1/);
    assert.equal(r.body.comments[0].author_id, endUser.id);
    // the post page tells its author (and agents), nobody else
    const html = async (who) => (await (await fetch(`${s.server.url}/hc/ko/community/posts/${question.id}`, { headers: who ? { Cookie: await session(who) } : {} })).text());
    assert.ok((await html('enduser')).includes(`href="/hc/ko/requests/${t.id}"`));
    assert.ok((await html('agent')).includes(`href="/agent/tickets/${t.id}"`));
    assert.ok(!(await html('enduser2')).includes('class="meta ticket"'));
    assert.ok(!(await html(null)).includes('class="meta ticket"'));
    r = await rawFetch(`/api/v2/sonnim/community/posts/${question.id}/ticket.json`, { method: 'POST', who: 'agent', ...j({}) });
    assert.equal(r.status, 422);
    assert.match(r.text, /already became ticket/);
    r = await rawFetch('/api/v2/sonnim/community/posts/999999/ticket.json', { method: 'POST', who: 'agent', ...j({}) });
    assert.equal(r.status, 404);
  });

  test('an agent turns a post and its official answer into a draft article', async () => {
    let r = await rawFetch('/api/v2/help_center/categories.json', { method: 'POST', who: 'admin', ...j({ category: { name: `FAQ ${tag}` } }) });
    r = await rawFetch(`/api/v2/help_center/categories/${r.body.category.id}/sections.json`, { method: 'POST', who: 'admin', ...j({ section: { name: `배송 ${tag}` } }) });
    const section = r.body.section;
    const url = `/api/v2/sonnim/community/posts/${question.id}/article.json`;
    assert.equal((await rawFetch(url, { method: 'POST', who: 'enduser', ...j({ section_id: section.id }) })).status, 403);
    assert.equal((await rawFetch(url, { method: 'POST', who: 'agent', ...j({}) })).status, 422);
    assert.equal((await rawFetch(url, { method: 'POST', who: 'agent', ...j({ section_id: 999999 }) })).status, 422);
    r = await rawFetch(url, { method: 'POST', who: 'agent', ...j({ section_id: section.id, locale: 'ko' }) });
    assert.equal(r.status, 201, r.text);
    const a = r.body.article;
    assert.equal(a.draft, true);
    assert.equal(a.title, question.title);
    assert.equal(a.locale, 'ko');
    assert.match(a.body, /<strong>물류센터<\/strong>/, 'the official answer is in the article');
    assert.ok(!a.body.includes('저도'), 'other comments are not');
    assert.equal(r.body.post.article_id, a.id);
    r = await rawFetch(`/api/v2/help_center/articles/${a.id}.json`, { who: 'anonymous' });
    assert.equal(r.status, 404, 'a draft stays hidden from customers');
  });

  test('script payloads in posts and comments come back inert', async () => {
    for (const [i, payload] of XSS_CORPUS.entries()) {
      let r = await post('enduser', '/posts.json', { post: { title: `XSS ${i} ${payload.slice(0, 40)}`, details: `before\n\n${payload}\n\nafter`, topic_id: open.id } });
      assert.equal(r.status, 201, `${payload}: ${r.text}`);
      assertInert(r.body.post.details, `post details ${i}`);
      assert.equal(r.body.post.details_markdown, `before\n\n${payload}\n\nafter`, 'the source is kept as written');
      r = await post('enduser', `/posts/${r.body.post.id}/comments.json`, { comment: { body: `ok ${payload}` } });
      assert.equal(r.status, 201, `${payload}: ${r.text}`);
      assertInert(r.body.comment.body, `comment ${i}`);
    }
  });

  test('authors delete their own posts; the post\'s comments go with it', async () => {
    let r = await post('enduser', '/posts.json', { post: { title: `지울 글 ${tag}`, topic_id: open.id } });
    const p = r.body.post;
    r = await post('enduser2', `/posts/${p.id}/comments.json`, { comment: { body: 'reply' } });
    const c = r.body.comment;
    assert.equal((await del('enduser2', `/posts/${p.id}.json`)).status, 403);
    assert.equal((await del('enduser2', `/posts/${p.id}/comments/${c.id}.json`)).status, 204);
    assert.equal((await get('anonymous', `/posts/${p.id}.json`)).body.post.comment_count, 0);
    assert.equal((await del('enduser', `/posts/${p.id}.json`)).status, 204);
    assert.equal((await get('enduser', `/posts/${p.id}.json`)).status, 404);
    assert.equal((await get('anonymous', `/posts/${p.id}/comments.json`)).status, 404);
  });
});

// ---- the community pages (/hc/{locale}/community/...) ----------------------

const FORM = 'application/x-www-form-urlencoded';
const form = (o) => new URLSearchParams(o).toString();
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });

// A browser session for who (the portal's sign-in makes the same cookie).
async function session(who) {
  const r = await fetch(`${s.server.url}/api/v2/sonnim/session.json`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: s.people[who].email, password: s.people[who].password }),
  });
  assert.equal(r.status, 200);
  return /sonnim_session=[0-9a-f]+/.exec(r.headers.get('set-cookie'))[0];
}

// Nothing in a rendered page could run: attribute values are quoted with "
// and escaped, so look at the markup around them.
export function assertPageInert(html, what) {
  const low = html.toLowerCase().replace(/="[^"]*"/g, '=""').replace('<link rel="" href="">', '');
  assert.ok(!low.includes('<script'), `${what}: <script>`);
  assert.ok(!/<[^>]*\son[a-z]+\s*=/.test(low), `${what}: event handler attribute`);
  assert.ok(!/<[^>]*\sstyle\s*=/.test(low), `${what}: style attribute`);
  assert.ok(!/<(iframe|object|embed|svg|math|base|link|body\s)/.test(low.replace('<body><header>', '')), `${what}: active element`);
  assert.ok(!/<meta[^>]*http-equiv/.test(low), `${what}: meta refresh`);
  assert.ok(!/(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):/.test(html.toLowerCase()), `${what}: script URL`);
}

describe('community pages', () => {
  let topic, cookie, agentCookie;
  before(async () => {
    const r = await post('admin', '/topics.json', { topic: { name: `페이지 주제 <b>${uniq('pg')}</b>`, description: '설명 & "따옴표"' } });
    topic = r.body.topic;
    cookie = await session('enduser');
    agentCookie = await session('agent');
  });

  test('the help center links to the community; topics list in Korean and English', async () => {
    let r = await page('/hc/ko');
    assert.match(await r.text(), /href="\/hc\/ko\/community\/topics">커뮤니티/);
    r = await page('/hc/ko/community/topics');
    assert.equal(r.status, 200);
    let html = await r.text();
    assert.ok(html.includes('<h1>커뮤니티</h1>'));
    assert.ok(html.includes(topic.name.replace('<b>', '&lt;b&gt;').replace('</b>', '&lt;/b&gt;')), 'topic names are escaped');
    assert.ok(html.includes('설명 &amp; &quot;따옴표&quot;'));
    r = await page('/hc/en-us/community');
    html = await r.text();
    assert.ok(html.includes('<h1>Community</h1>'));
    assert.equal((await page('/hc/xx/community')).status, 404);
    assert.equal((await page('/hc/ko/community/topics/999999')).status, 404);
    assert.equal((await page('/hc/ko/community/posts/999999')).status, 404);
  });

  test('a signed-in customer posts through the form, with the session CSRF token', async () => {
    let r = await page(`/hc/ko/community/posts/new?topic_id=${topic.id}`);
    assert.equal(r.status, 303, 'anonymous visitors are sent to sign in');
    assert.match(r.headers.get('location'), /\/hc\/ko\/signin$/);
    r = await page(`/hc/ko/community/posts/new?topic_id=${topic.id}`, { headers: { Cookie: cookie } });
    assert.equal(r.status, 200);
    const html = await r.text();
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(html)[1];
    assert.ok(html.includes(`<option value="${topic.id}" selected>`));
    const title = `환불은 언제 되나요? ${uniq()}`;
    r = await page('/hc/ko/community/posts', { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ topic_id: topic.id, title, details: '**급해요**' }) });
    assert.equal(r.status, 403, 'no CSRF token, no post');
    r = await page('/hc/ko/community/posts', { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ csrf, topic_id: topic.id, title: '', details: 'x' }) });
    assert.equal(r.status, 422);
    assert.match(await r.text(), /title: cannot be blank|title: is required/);
    r = await page('/hc/ko/community/posts', { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ csrf, topic_id: topic.id, title, details: '**급해요**' }) });
    assert.equal(r.status, 303);
    const where = r.headers.get('location');
    const id = Number(/\/hc\/ko\/community\/posts\/(\d+)$/.exec(where)[1]);
    r = await page(where);
    const shown = await r.text();
    assert.ok(shown.includes('<strong>급해요</strong>'));
    assert.ok(shown.includes('로그인하고 참여하세요'), 'anonymous visitors see the sign-in link');
    // vote and follow through the page; voting twice counts once
    const csrf2 = /name="csrf" value="([0-9a-f]+)"/.exec(await (await page(where, { headers: { Cookie: agentCookie } })).text())[1];
    for (let i = 0; i < 2; i++) {
      r = await page(where, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: agentCookie }, body: form({ csrf: csrf2, action: 'up' }) });
      assert.equal(r.status, 303);
    }
    const p = (await get('anonymous', `/posts/${id}.json`)).body.post;
    assert.deepEqual([p.vote_sum, p.vote_count], [1, 1]);
    r = await page(where, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: agentCookie }, body: form({ csrf: csrf2, action: 'follow' }) });
    assert.equal(r.status, 303);
    assert.equal((await get('anonymous', `/posts/${id}.json`)).body.post.follower_count, 2);
  });

  test('the official answer is shown first and highlighted; closed posts take no comments', async () => {
    let r = await post('enduser', '/posts.json', { post: { title: `교환 문의 ${uniq()}`, details: '사이즈 교환', topic_id: topic.id } });
    const q = r.body.post;
    const where = `/hc/ko/community/posts/${q.id}`;
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(await (await page(where, { headers: { Cookie: cookie } })).text())[1];
    r = await page(where, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ csrf, action: 'comment', body: '빨리 답해 주세요' }) });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /#comment-\d+$/);
    await post('agent', `/posts/${q.id}/comments.json`, { comment: { body: '교환은 **마이페이지**에서 신청하세요.', official: true } });
    let html = await (await page(where)).text();
    const official = html.indexOf('class="comment official"');
    const other = html.indexOf('빨리 답해 주세요');
    assert.ok(official > 0 && other > official, 'the official answer comes before the other comments');
    assert.ok(html.includes('공식 답변'));
    assert.ok(html.includes('<strong>마이페이지</strong>'));
    assert.ok(html.includes('답변됨'), 'the post shows as answered');
    await put('agent', `/posts/${q.id}.json`, { post: { closed: true } });
    html = await (await page(where, { headers: { Cookie: cookie } })).text();
    assert.ok(html.includes('댓글이 닫힌 게시물입니다.'));
    assert.ok(!html.includes('class="comment-form"'));
    r = await page(where, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ csrf, action: 'comment', body: 'one more' }) });
    assert.equal(r.status, 422);
    html = await r.text();
    assert.match(html, /closed for comments/);
    assert.ok(html.includes('one more') === false || html.includes('>one more</textarea>'));
  });

  test('agents answer officially and moderate from the post page', async () => {
    const q = (await post('enduser', '/posts.json', { post: { title: `모더레이션 ${uniq()}`, topic_id: topic.id } })).body.post;
    const where = `/hc/en-us/community/posts/${q.id}`;
    let html = await (await page(where, { headers: { Cookie: agentCookie } })).text();
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(html)[1];
    assert.ok(html.includes('name="official"'), 'agents may mark an answer official');
    assert.ok(html.includes('Make a ticket'));
    const mine = await (await page(where, { headers: { Cookie: cookie } })).text();
    assert.ok(!mine.includes('name="official"') && !mine.includes('class="actions moderation"'), 'customers get no agent tools');
    const act = (c, token, fields) => page(where, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: c }, body: form({ csrf: token, ...fields }) });
    let r = await act(agentCookie, csrf, { action: 'comment', body: 'Here is the **fix**.', official: '1' });
    assert.equal(r.status, 303);
    let c = (await get('anonymous', `/posts/${q.id}/comments.json`)).body.comments;
    assert.equal(c.length, 1);
    assert.equal(c[0].official, true);
    assert.equal((await get('anonymous', `/posts/${q.id}.json`)).body.post.status, 'answered');
    const userCsrf = /name="csrf" value="([0-9a-f]+)"/.exec(mine)[1];
    r = await act(cookie, userCsrf, { action: 'spam' });
    assert.equal(r.status, 403, 'a customer cannot moderate');
    r = await act(cookie, userCsrf, { action: 'comment', body: 'sneaky', official: '1' });
    assert.equal(r.status, 403, 'nor answer officially');
    r = await act(agentCookie, csrf, { action: 'close' });
    assert.equal(r.status, 303);
    assert.equal((await get('anonymous', `/posts/${q.id}.json`)).body.post.closed, true);
    r = await act(agentCookie, csrf, { action: 'reopen' });
    assert.equal((await get('anonymous', `/posts/${q.id}.json`)).body.post.closed, false);
    r = await act(agentCookie, csrf, { action: 'ticket' });
    assert.equal(r.status, 303);
    const ticketId = (await get('agent', `/posts/${q.id}.json`)).body.post.ticket_id;
    assert.ok(ticketId > 0);
    html = await (await page(where, { headers: { Cookie: agentCookie } })).text();
    assert.ok(html.includes(`href="/agent/tickets/${ticketId}"`) && !html.includes('Make a ticket'));
    // a pending comment: the agent sees it with a Publish button and publishes it
    const held = (await post('admin', '/topics.json', { topic: { name: `held ${uniq()}`, moderation: 'all' } })).body.topic;
    const q2 = (await post('agent', '/posts.json', { post: { title: `agent post ${uniq()}`, topic_id: held.id } })).body.post;
    const pc = (await post('enduser', `/posts/${q2.id}/comments.json`, { comment: { body: 'waiting comment' } })).body.comment;
    assert.equal(pc.moderation_state, 'pending');
    r = await page(`/hc/en-us/community/posts/${q2.id}`, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: agentCookie }, body: form({ csrf, action: 'comment_publish', comment_id: pc.id }) });
    assert.equal(r.status, 303);
    c = (await get('anonymous', `/posts/${q2.id}/comments.json`)).body.comments;
    assert.deepEqual(c.map((x) => x.id), [pc.id]);
    r = await act(agentCookie, csrf, { action: 'spam' });
    assert.equal((await page(where)).status, 404, 'spam is gone for visitors');
    assert.equal((await page(where, { headers: { Cookie: agentCookie } })).status, 200);
  });

  test('pending posts show only to their author and agents', async () => {
    const t = (await post('admin', '/topics.json', { topic: { name: `검토 ${uniq()}`, moderation: 'all' } })).body.topic;
    const q = (await post('enduser', '/posts.json', { post: { title: `대기 글 ${uniq()}`, topic_id: t.id } })).body.post;
    const where = `/hc/en-us/community/posts/${q.id}`;
    assert.equal((await page(where)).status, 404);
    assert.equal((await page(where, { headers: { Cookie: await session('enduser2') } })).status, 404);
    let html = await (await page(where, { headers: { Cookie: cookie } })).text();
    assert.ok(html.includes('Awaiting moderation'));
    assert.equal((await page(where, { headers: { Cookie: agentCookie } })).status, 200);
    html = await (await page(`/hc/en-us/community/topics/${t.id}`)).text();
    assert.ok(!html.includes(q.title));
    html = await (await page(`/hc/en-us/community/topics/${t.id}`, { headers: { Cookie: cookie } })).text();
    assert.ok(html.includes('Awaiting moderation'));
    html = await (await page('/hc/en-us/community', { headers: { Cookie: agentCookie } })).text();
    assert.ok(html.includes('<h2 id="pending">Awaiting moderation</h2>'), 'agents get the moderation queue');
    assert.ok(html.includes(`href="/hc/en-us/community/posts/${q.id}"`));
    html = await (await page('/hc/en-us/community', { headers: { Cookie: cookie } })).text();
    assert.ok(!html.includes('id="pending"'), 'customers do not');
  });

  test('script payloads render inert on the pages', async () => {
    const topicPage = await (await page(`/hc/ko/community/topics/${topic.id}`)).text();
    assertPageInert(topicPage, 'topic page');
    for (const [i, payload] of XSS_CORPUS.entries()) {
      let r = await post('enduser', '/posts.json', { post: { title: `${payload}`.slice(0, 200), details: payload, topic_id: topic.id } });
      assert.equal(r.status, 201, r.text);
      const id = r.body.post.id;
      await post('enduser2', `/posts/${id}/comments.json`, { comment: { body: `reply ${payload}` } });
      r = await page(`/hc/ko/community/posts/${id}`, { headers: { Cookie: cookie } });
      assert.equal(r.status, 200);
      const html = await r.text();
      assertPageInert(html, `post page ${i}`);
      assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
      assert.ok(!/script-src/.test(r.headers.get('content-security-policy')), 'the community pages allow no script');
    }
    assertPageInert(await (await page(`/hc/ko/community/topics/${topic.id}`)).text(), 'topic page with payload titles');
    assertPageInert(await (await page('/hc/ko/community/topics')).text(), 'community home with payload titles');
  });
});
