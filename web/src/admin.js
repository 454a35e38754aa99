// admin.js - the admin screens (loaded when an admin first opens them; the
// server refuses these writes to agents whatever the UI shows): agents and
// roles, groups and memberships, organizations and their domains, ticket
// fields with dropdown options, API tokens.  Everything goes through the
// public API (users, groups, group_memberships, organizations,
// ticket_fields, sonnim/api_tokens); a refused write shows the server's
// message.
import { useState, useEffect, useCallback } from 'preact/hooks';
import { html } from './html.js';
import { api, get } from './api.js';
import { t as tr, addStrings } from './i18n.js';
import { ADMIN_SECTIONS, statuses, when } from './shared.js';
import { StatusDot } from './prefs.js';

// A list that loads from path and reloads after each write.
function useList(path, key) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState('');
  const reload = useCallback(() => get(path).then((r) => { setRows(r[key]); setError(''); }).catch((e) => setError(e.message)), [path, key]);
  useEffect(() => { reload(); }, [reload]);
  const run = async (fn) => {
    try {
      setError('');
      const out = await fn();
      await reload();
      return out;
    } catch (e) {
      setError(e.message);
      return null;
    }
  };
  return { rows, error, run };
}

const Err = ({ error }) => error && html`<p class="error" role="alert">${error}</p>`;

function Agents({ lang, me }) {
  const { rows, error, run } = useList('users.json?role[]=agent&role[]=admin&per_page=100', 'users');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('agent');
  const [password, setPassword] = useState('');
  const create = (e) => {
    e.preventDefault();
    run(async () => {
      const r = await api('POST', 'users.json', { user: { name, email, role, verified: true } });
      if (password) await api('POST', `users/${r.user.id}/password.json`, { password });
      setName(''); setEmail(''); setPassword('');
    });
  };
  return html`<section data-admin="agents">
    <h2>${tr(lang, 'admin.agents')}</h2><${Err} error=${error} />
    <table><thead><tr><th></th><th>${tr(lang, 'admin.name')}</th><th>${tr(lang, 'admin.email')}</th><th>${tr(lang, 'admin.role')}</th><th></th></tr></thead>
      <tbody>${(rows || []).map((u) => html`<tr key=${u.id} data-agent=${u.id} class=${u.suspended ? 'muted' : ''}>
        <td><${StatusDot} lang=${lang} status=${statuses.get(u.id)} /></td><td>${u.name}</td><td>${u.email}</td>
        <td><select aria-label=${tr(lang, 'admin.role')} value=${u.role} disabled=${u.id === me.id} onChange=${(e) => run(() => api('PUT', `users/${u.id}.json`, { user: { role: e.target.value } }))}>
          ${['agent', 'admin', 'end-user'].map((r) => html`<option key=${r} value=${r}>${tr(lang, `role.${r}`)}</option>`)}</select></td>
        <td>${u.id !== me.id && html`<button onClick=${() => run(() => api('PUT', `users/${u.id}.json`, { user: { suspended: !u.suspended } }))}>${u.suspended ? tr(lang, 'admin.reactivate') : tr(lang, 'admin.deactivate')}</button>`}</td>
      </tr>`)}</tbody></table>
    <form class="inline" onSubmit=${create} data-form="agent">
      <h3>${tr(lang, 'admin.addAgent')}</h3>
      <input name="name" required placeholder=${tr(lang, 'admin.name')} value=${name} onInput=${(e) => setName(e.target.value)} />
      <input name="email" type="email" required placeholder=${tr(lang, 'admin.email')} value=${email} onInput=${(e) => setEmail(e.target.value)} />
      <select name="role" value=${role} onChange=${(e) => setRole(e.target.value)}>
        <option value="agent">${tr(lang, 'role.agent')}</option><option value="admin">${tr(lang, 'role.admin')}</option></select>
      <input name="password" type="password" minlength="8" autocomplete="new-password" placeholder=${tr(lang, 'admin.initialPassword')} value=${password} onInput=${(e) => setPassword(e.target.value)} />
      <button type="submit" class="primary">${tr(lang, 'admin.create')}</button>
    </form>
  </section>`;
}

function GroupMembers({ lang, group, agents }) {
  const { rows, error, run } = useList(`groups/${group.id}/memberships.json`, 'group_memberships');
  const [pick, setPick] = useState('');
  const members = rows || [];
  const name = (id) => (agents.find((a) => a.id === id) || {}).name || `#${id}`;
  return html`<div class="members" data-members=${group.id}>
    <${Err} error=${error} />
    ${members.map((m) => html`<span class="chip" key=${m.id} data-member=${m.user_id}>${name(m.user_id)}
      <button class="link" aria-label=${tr(lang, 'views.remove')} onClick=${() => run(() => api('DELETE', `group_memberships/${m.id}.json`))}>✕</button></span>`)}
    <select name="add-member" value=${pick} onChange=${(e) => setPick(e.target.value)}>
      <option value="">${tr(lang, 'admin.addMember')}</option>
      ${agents.filter((a) => !members.some((m) => m.user_id === a.id)).map((a) => html`<option key=${a.id} value=${a.id}>${a.name}</option>`)}
    </select>
    <button disabled=${!pick} onClick=${() => run(async () => { await api('POST', 'group_memberships.json', { group_membership: { user_id: Number(pick), group_id: group.id } }); setPick(''); })}>${tr(lang, 'admin.add')}</button>
  </div>`;
}

function Groups({ lang, agents, onChanged }) {
  const { rows, error, run } = useList('groups.json?per_page=100', 'groups');
  const [name, setName] = useState('');
  const [open, setOpen] = useState(0);
  const rename = (g) => {
    const n = prompt(tr(lang, 'admin.rename'), g.name);
    if (n && n !== g.name) run(() => api('PUT', `groups/${g.id}.json`, { group: { name: n } })).then(onChanged);
  };
  return html`<section data-admin="groups">
    <h2>${tr(lang, 'admin.groups')}</h2><${Err} error=${error} />
    <ul class="admin-list">${(rows || []).map((g) => html`<li key=${g.id} data-group=${g.id}>
      <div class="row"><strong>${g.name}</strong><span class="spacer"></span>
        <button onClick=${() => setOpen(open === g.id ? 0 : g.id)}>${tr(lang, 'admin.members')}</button>
        <button onClick=${() => rename(g)}>${tr(lang, 'admin.rename')}</button></div>
      ${open === g.id && html`<${GroupMembers} lang=${lang} group=${g} agents=${agents} />`}
    </li>`)}</ul>
    <form class="inline" data-form="group" onSubmit=${(e) => { e.preventDefault(); run(async () => { await api('POST', 'groups.json', { group: { name } }); setName(''); }).then(onChanged); }}>
      <input name="group-name" required placeholder=${tr(lang, 'admin.groupName')} value=${name} onInput=${(e) => setName(e.target.value)} />
      <button type="submit" class="primary">${tr(lang, 'admin.create')}</button>
    </form>
  </section>`;
}

const domains = (s) => s.split(/[\s,]+/).filter(Boolean);

function Orgs({ lang }) {
  const { rows, error, run } = useList('organizations.json?per_page=100', 'organizations');
  const [name, setName] = useState('');
  const [doms, setDoms] = useState('');
  const [edit, setEdit] = useState(null); // {id, name, domains, notes}
  return html`<section data-admin="organizations">
    <h2>${tr(lang, 'admin.organizations')}</h2><${Err} error=${error} />
    <table><thead><tr><th>${tr(lang, 'admin.name')}</th><th>${tr(lang, 'admin.domains')}</th><th></th></tr></thead>
      <tbody>${(rows || []).map((o) => (edit && edit.id === o.id
        ? html`<tr key=${o.id} data-org=${o.id}><td><input name="org-name" value=${edit.name} onInput=${(e) => setEdit({ ...edit, name: e.target.value })} /></td>
            <td><input name="org-domains" value=${edit.domains} onInput=${(e) => setEdit({ ...edit, domains: e.target.value })} /></td>
            <td><button class="primary" onClick=${() => run(async () => { await api('PUT', `organizations/${o.id}.json`, { organization: { name: edit.name, domain_names: domains(edit.domains) } }); setEdit(null); })}>${tr(lang, 'admin.save')}</button>
              <button onClick=${() => setEdit(null)}>${tr(lang, 'admin.cancel')}</button></td></tr>`
        : html`<tr key=${o.id} data-org=${o.id}><td><a href=${`#/organizations/${o.id}`}>${o.name}</a></td><td>${(o.domain_names || []).join(', ')}</td>
            <td><button onClick=${() => setEdit({ id: o.id, name: o.name, domains: (o.domain_names || []).join(', ') })}>${tr(lang, 'admin.edit')}</button></td></tr>`))}</tbody></table>
    <form class="inline" data-form="org" onSubmit=${(e) => { e.preventDefault(); run(async () => { await api('POST', 'organizations.json', { organization: { name, domain_names: domains(doms) } }); setName(''); setDoms(''); }); }}>
      <input name="org-name" required placeholder=${tr(lang, 'admin.name')} value=${name} onInput=${(e) => setName(e.target.value)} />
      <input name="org-domains" placeholder=${tr(lang, 'admin.domainsHint')} value=${doms} onInput=${(e) => setDoms(e.target.value)} />
      <button type="submit" class="primary">${tr(lang, 'admin.create')}</button>
    </form>
  </section>`;
}

const FIELD_TYPES = ['text', 'textarea', 'tagger', 'multiselect', 'checkbox', 'integer', 'decimal', 'date'];
const isList = (type) => type === 'tagger' || type === 'multiselect';
// "Label" or "Label=tag" per line -> custom_field_options
const parseOptions = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
  const [name, value] = l.split('=').map((x) => x.trim());
  return { name, value: value || name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_|_$/g, '') };
});
const optionsText = (f) => (f.custom_field_options || []).map((o) => `${o.name}=${o.value}`).join('\n');

function Fields({ lang }) {
  const { rows, error, run } = useList('ticket_fields.json?per_page=100', 'ticket_fields');
  const [title, setTitle] = useState('');
  const [type, setType] = useState('text');
  const [opts, setOpts] = useState('');
  const [edit, setEdit] = useState(null); // {id, title, options}
  const fields = rows || [];
  const custom = fields.filter((f) => !['subject', 'description', 'status', 'tickettype', 'priority', 'group', 'assignee'].includes(f.type));
  const move = (f, d) => {
    const i = custom.indexOf(f);
    const other = custom[i + d];
    if (!other) return;
    run(async () => {
      await api('PUT', `ticket_fields/${f.id}.json`, { ticket_field: { position: other.position } });
      await api('PUT', `ticket_fields/${other.id}.json`, { ticket_field: { position: f.position === other.position ? f.position + d : f.position } });
    });
  };
  const create = (e) => {
    e.preventDefault();
    const tf = { type, title };
    if (isList(type)) tf.custom_field_options = parseOptions(opts);
    run(async () => { await api('POST', 'ticket_fields.json', { ticket_field: tf }); setTitle(''); setOpts(''); });
  };
  return html`<section data-admin="fields">
    <h2>${tr(lang, 'admin.fields')}</h2><${Err} error=${error} />
    <table><thead><tr><th>${tr(lang, 'admin.fieldTitle')}</th><th>${tr(lang, 'admin.type')}</th><th>${tr(lang, 'admin.active')}</th><th></th></tr></thead>
      <tbody>${custom.map((f, i) => html`<tr key=${f.id} data-field=${f.id} class=${f.active ? '' : 'muted'}>
        <td>${edit && edit.id === f.id
          ? html`<input name="field-title" value=${edit.title} onInput=${(e) => setEdit({ ...edit, title: e.target.value })} />
            ${isList(f.type) && html`<textarea name="field-options" rows="4" value=${edit.options} onInput=${(e) => setEdit({ ...edit, options: e.target.value })}></textarea>`}`
          : html`${f.title}${isList(f.type) && html`<div class="muted">${(f.custom_field_options || []).map((o) => o.name).join(', ')}</div>`}`}</td>
        <td>${f.type}</td><td>${f.active ? '✓' : '–'}</td>
        <td class="buttons">
          ${edit && edit.id === f.id
            ? html`<button class="primary" onClick=${() => run(async () => {
                const tf = { title: edit.title };
                if (isList(f.type)) tf.custom_field_options = parseOptions(edit.options);
                await api('PUT', `ticket_fields/${f.id}.json`, { ticket_field: tf });
                setEdit(null);
              })}>${tr(lang, 'admin.save')}</button><button onClick=${() => setEdit(null)}>${tr(lang, 'admin.cancel')}</button>`
            : html`<button onClick=${() => setEdit({ id: f.id, title: f.title, options: optionsText(f) })}>${tr(lang, 'admin.edit')}</button>`}
          <button aria-label=${tr(lang, 'admin.up')} disabled=${i === 0} onClick=${() => move(f, -1)}>↑</button>
          <button aria-label=${tr(lang, 'admin.down')} disabled=${i === custom.length - 1} onClick=${() => move(f, 1)}>↓</button>
          <button onClick=${() => run(() => api('PUT', `ticket_fields/${f.id}.json`, { ticket_field: { active: !f.active } }))}>${f.active ? tr(lang, 'admin.deactivate') : tr(lang, 'admin.reactivate')}</button>
        </td></tr>`)}</tbody></table>
    <form class="inline" data-form="field" onSubmit=${create}>
      <h3>${tr(lang, 'admin.addField')}</h3>
      <input name="field-title" required placeholder=${tr(lang, 'admin.fieldTitle')} value=${title} onInput=${(e) => setTitle(e.target.value)} />
      <select name="field-type" value=${type} onChange=${(e) => setType(e.target.value)}>${FIELD_TYPES.map((x) => html`<option key=${x} value=${x}>${x}</option>`)}</select>
      ${isList(type) && html`<textarea name="field-options" rows="4" placeholder=${tr(lang, 'admin.optionsHint')} value=${opts} onInput=${(e) => setOpts(e.target.value)}></textarea>`}
      <button type="submit" class="primary">${tr(lang, 'admin.create')}</button>
    </form>
  </section>`;
}

function Tokens({ lang, agents }) {
  const { rows, error, run } = useList('sonnim/api_tokens.json', 'api_tokens');
  const [desc, setDesc] = useState('');
  const [owner, setOwner] = useState('');
  const [fresh, setFresh] = useState(null);
  const name = (id) => (agents.find((a) => a.id === id) || {}).name || `#${id}`;
  const create = (e) => {
    e.preventDefault();
    run(async () => {
      const r = await api('POST', 'sonnim/api_tokens.json', { api_token: { description: desc, user_id: owner ? Number(owner) : undefined } });
      setFresh(r.api_token);
      setDesc('');
    });
  };
  return html`<section data-admin="tokens">
    <h2>${tr(lang, 'admin.tokens')}</h2><${Err} error=${error} />
    ${fresh && html`<div class="notice" role="status" data-new-token=${fresh.id}>
      <p>${tr(lang, 'admin.tokenOnce')}</p><code class="token">${fresh.token}</code>
      <p class="muted">${tr(lang, 'admin.tokenUse', { email: (agents.find((a) => a.id === fresh.user_id) || {}).email || '' })}</p></div>`}
    <table><thead><tr><th>${tr(lang, 'admin.description')}</th><th>${tr(lang, 'admin.owner')}</th><th>${tr(lang, 'admin.created')}</th><th></th></tr></thead>
      <tbody>${(rows || []).map((k) => html`<tr key=${k.id} data-token=${k.id} class=${k.active ? '' : 'muted'}>
        <td>${k.description || ''} <span class="muted">${k.kind}</span></td><td>${name(k.user_id)}</td><td>${when(lang, k.created_at)}</td>
        <td>${k.active ? html`<button class="danger" onClick=${() => confirm(tr(lang, 'admin.confirmRevoke')) && run(() => api('DELETE', `sonnim/api_tokens/${k.id}.json`))}>${tr(lang, 'admin.revoke')}</button>` : tr(lang, 'admin.revoked')}</td>
      </tr>`)}</tbody></table>
    <form class="inline" data-form="token" onSubmit=${create}>
      <input name="token-description" required placeholder=${tr(lang, 'admin.description')} value=${desc} onInput=${(e) => setDesc(e.target.value)} />
      <select name="token-owner" value=${owner} onChange=${(e) => setOwner(e.target.value)}>
        <option value="">${tr(lang, 'admin.ownerMe')}</option>
        ${agents.map((a) => html`<option key=${a.id} value=${a.id}>${a.name}</option>`)}</select>
      <button type="submit" class="primary">${tr(lang, 'admin.createToken')}</button>
    </form>
  </section>`;
}

export function Admin({ lang, section, me, agents, onChanged }) {
  const screens = { agents: Agents, groups: Groups, organizations: Orgs, fields: Fields, tokens: Tokens };
  const Screen = screens[section];
  return html`<div class="admin">
    <nav class="tabs" aria-label=${tr(lang, 'admin.title')}>
      ${ADMIN_SECTIONS.map((s) => html`<a key=${s} href=${`#/admin/${s}`} class=${s === section ? 'on' : ''} data-section=${s}>${tr(lang, `admin.${s}`)}</a>`)}
    </nav>
    <${Screen} lang=${lang} me=${me} agents=${agents} onChanged=${onChanged} />
  </div>`;
}

addStrings({
  en: {
    'admin.name': 'Name',
    'admin.email': 'Email',
    'admin.role': 'Role',
    'admin.deactivate': 'Deactivate',
    'admin.reactivate': 'Reactivate',
    'admin.addAgent': 'Add an agent',
    'admin.initialPassword': 'Initial password (optional)',
    'admin.create': 'Create',
    'admin.add': 'Add',
    'admin.addMember': 'Add a member…',
    'admin.members': 'Members',
    'admin.rename': 'Rename',
    'admin.groupName': 'Group name',
    'admin.domains': 'Domains',
    'admin.domainsHint': 'Domains, comma-separated',
    'admin.edit': 'Edit',
    'admin.cancel': 'Cancel',
    'admin.save': 'Save',
    'admin.fieldTitle': 'Field title',
    'admin.type': 'Type',
    'admin.active': 'Active',
    'admin.up': 'Move up',
    'admin.down': 'Move down',
    'admin.addField': 'Add a ticket field',
    'admin.optionsHint': 'One option per line: Label or Label=tag',
    'admin.description': 'Description',
    'admin.owner': 'Signs in as',
    'admin.ownerMe': 'Me',
    'admin.created': 'Created',
    'admin.createToken': 'Create token',
    'admin.tokenOnce': 'Copy this token now: it will not be shown again.',
    'admin.tokenUse': 'Use it as the password of "{email}/token" with basic authentication.',
    'admin.revoke': 'Revoke',
    'admin.revoked': 'Revoked',
    'admin.confirmRevoke': 'Revoke this token? Integrations using it stop working.',
    'role.agent': 'Agent',
    'role.admin': 'Admin',
    'role.end-user': 'End user',
  },
  ko: {
    'admin.name': '이름',
    'admin.email': '이메일',
    'admin.role': '역할',
    'admin.deactivate': '비활성화',
    'admin.reactivate': '다시 활성화',
    'admin.addAgent': '상담원 추가',
    'admin.initialPassword': '초기 비밀번호 (선택)',
    'admin.create': '만들기',
    'admin.add': '추가',
    'admin.addMember': '구성원 추가…',
    'admin.members': '구성원',
    'admin.rename': '이름 바꾸기',
    'admin.groupName': '그룹 이름',
    'admin.domains': '도메인',
    'admin.domainsHint': '도메인 (쉼표로 구분)',
    'admin.edit': '편집',
    'admin.cancel': '취소',
    'admin.save': '저장',
    'admin.fieldTitle': '필드 제목',
    'admin.type': '유형',
    'admin.active': '활성',
    'admin.up': '위로',
    'admin.down': '아래로',
    'admin.addField': '티켓 필드 추가',
    'admin.optionsHint': '한 줄에 하나: 이름 또는 이름=태그',
    'admin.description': '설명',
    'admin.owner': '로그인 계정',
    'admin.ownerMe': '나',
    'admin.created': '만든 날',
    'admin.createToken': '토큰 만들기',
    'admin.tokenOnce': '지금 이 토큰을 복사하세요. 다시 보여 드리지 않습니다.',
    'admin.tokenUse': '기본 인증에서 "{email}/token"의 비밀번호로 쓰세요.',
    'admin.revoke': '폐기',
    'admin.revoked': '폐기됨',
    'admin.confirmRevoke': '이 토큰을 폐기할까요? 이 토큰을 쓰는 연동은 멈춥니다.',
    'role.agent': '상담원',
    'role.admin': '관리자',
    'role.end-user': '고객',
  },
});
