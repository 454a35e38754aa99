// viewedit.js - the custom view editor (loaded when first opened): title,
// who sees it (personal; admins may share it with everyone or a group),
// conditions that must all hold and conditions of which one must hold
// (field / operator / value rows, the fields and operators the server's
// views accept), the columns to show, sort and grouping.  Saves with
// POST views.json or PUT views/{id}.json; the server checks everything
// again and its 422 text is shown as it is.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { api, get } from './api.js';
import { t as tr, addStrings } from './i18n.js';
import { STATUSES, PRIORITIES, TYPES, navigate } from './shared.js';

const ORD = ['is', 'is_not', 'less_than', 'greater_than'];
const EQ = ['is', 'is_not'];
const NUM = ['is', 'less_than', 'greater_than'];
// field -> operators and the kind of value it takes
const FIELDS = {
  status: { ops: ORD, values: 'status' },
  priority: { ops: ORD, values: 'priority' },
  type: { ops: EQ, values: 'type' },
  assignee_id: { ops: EQ, values: 'agent' },
  group_id: { ops: EQ, values: 'group' },
  current_tags: { ops: ['includes', 'not_includes'], values: 'text' },
  subject_includes_word: { ops: ['includes', 'not_includes'], values: 'text' },
  hours_since_created: { ops: NUM, values: 'number' },
  hours_since_updated: { ops: NUM, values: 'number' },
};
export const COLUMNS = ['id', 'status', 'subject', 'requester', 'assignee', 'group', 'organization', 'priority', 'type', 'created', 'updated'];
const GROUPABLE = ['status', 'priority', 'type', 'assignee', 'requester', 'group', 'organization'];

function ValueInput({ lang, kind, value, onChange, agents, groups }) {
  const sel = (opts) => html`<select name="cond-value" value=${value} onChange=${(e) => onChange(e.target.value)}>
    ${opts.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}</select>`;
  switch (kind) {
    case 'status': return sel(STATUSES.map((s) => [s, tr(lang, `status.${s}`)]));
    case 'priority': return sel(PRIORITIES.map((s) => [s, tr(lang, `priority.${s}`)]));
    case 'type': return sel(TYPES.map((s) => [s, tr(lang, `type.${s}`)]));
    case 'agent': return sel([['current_user', tr(lang, 'views.me')], ['', tr(lang, 'ticket.none')], ...agents.map((a) => [String(a.id), a.name])]);
    case 'group': return sel([['', tr(lang, 'ticket.none')], ...groups.map((g) => [String(g.id), g.name])]);
    default: return html`<input name="cond-value" type=${kind === 'number' ? 'number' : 'text'} value=${value} onInput=${(e) => onChange(e.target.value)} />`;
  }
}

function Conditions({ lang, name, rows, setRows, agents, groups }) {
  const set = (i, patch) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const blank = () => ({ field: 'status', operator: 'less_than', value: 'solved' });
  return html`<fieldset class="conds" data-conds=${name}>
    <legend>${tr(lang, `views.${name}`)}</legend>
    ${rows.map((r, i) => {
      const f = FIELDS[r.field];
      return html`<div class="cond" key=${i}>
        <select name="cond-field" value=${r.field} onChange=${(e) => { const nf = FIELDS[e.target.value]; set(i, { field: e.target.value, operator: nf.ops[0], value: nf.values === 'status' ? 'open' : nf.values === 'priority' ? 'high' : nf.values === 'type' ? 'question' : nf.values === 'agent' ? 'current_user' : '' }); }}>
          ${Object.keys(FIELDS).map((k) => html`<option key=${k} value=${k}>${tr(lang, `cond.${k}`)}</option>`)}
        </select>
        <select name="cond-op" value=${r.operator} onChange=${(e) => set(i, { operator: e.target.value })}>
          ${f.ops.map((o) => html`<option key=${o} value=${o}>${tr(lang, `op.${o}`)}</option>`)}
        </select>
        <${ValueInput} lang=${lang} kind=${f.values} value=${r.value} onChange=${(v) => set(i, { value: v })} agents=${agents} groups=${groups} />
        <button type="button" class="link" aria-label=${tr(lang, 'views.remove')} onClick=${() => setRows(rows.filter((_, j) => j !== i))}>✕</button>
      </div>`;
    })}
    <button type="button" data-action=${`add-${name}`} onClick=${() => setRows([...rows, blank()])}>+ ${tr(lang, 'views.addCondition')}</button>
  </fieldset>`;
}

export function ViewEditor({ lang, id, agents, groups, me, isAdmin, onSaved }) {
  const [title, setTitle] = useState('');
  const [share, setShare] = useState('me'); // me | all | g<ID>
  const [all, setAll] = useState([{ field: 'status', operator: 'less_than', value: 'solved' }]);
  const [any, setAny] = useState([]);
  // conditions the editor has no row for (made through the API): kept as they are
  const [kept, setKept] = useState({ all: [], any: [] });
  const [cols, setCols] = useState(['status', 'id', 'subject', 'requester', 'assignee', 'updated']);
  const [sortBy, setSortBy] = useState('updated');
  const [sortOrder, setSortOrder] = useState('desc');
  const [groupBy, setGroupBy] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!id) return;
    get(`views/${id}.json`).then(({ view: v }) => {
      setTitle(v.title);
      const r = v.restriction;
      setShare(!r ? 'all' : r.type === 'Group' ? `g${r.id}` : 'me');
      const norm = (c) => ({ field: c.field, operator: c.operator, value: c.value == null ? '' : String(c.value) });
      setAll(v.conditions.all.filter((c) => FIELDS[c.field]).map(norm));
      setAny(v.conditions.any.filter((c) => FIELDS[c.field]).map(norm));
      setKept({ all: v.conditions.all.filter((c) => !FIELDS[c.field]), any: v.conditions.any.filter((c) => !FIELDS[c.field]) });
      setCols(v.execution.columns.map((c) => c.id));
      setSortBy(v.execution.sort_by);
      setSortOrder(v.execution.sort_order);
      setGroupBy(v.execution.group_by || '');
    }).catch((e) => setError(e.message));
  }, [id]);
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const restriction = share === 'all' ? null : share === 'me' ? { type: 'User', id: me.id } : { type: 'Group', id: Number(share.slice(1)) };
    const body = { view: { title, restriction, conditions: { all: [...all, ...kept.all], any: [...any, ...kept.any] },
      output: { columns: COLUMNS.filter((c) => cols.includes(c)), sort_by: sortBy, sort_order: sortOrder, group_by: groupBy || null } } };
    try {
      const r = await api(id ? 'PUT' : 'POST', id ? `views/${id}.json` : 'views.json', body);
      onSaved(r.view);
      navigate(`#/views/c${r.view.id}`);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(tr(lang, 'views.confirmDelete'))) return;
    try {
      await api('DELETE', `views/${id}.json`);
      onSaved(null);
      navigate('#/views/mine');
    } catch (err) {
      setError(err.message);
    }
  };
  const toggle = (c) => setCols(cols.includes(c) ? cols.filter((x) => x !== c) : [...cols, c]);
  return html`<form class="editor view-editor" onSubmit=${save} aria-labelledby="ve-title">
    <h1 id="ve-title">${id ? tr(lang, 'views.editTitle') : tr(lang, 'views.newTitle')}</h1>
    <label>${tr(lang, 'views.title')}<input name="view-title" required maxlength="255" value=${title} onInput=${(e) => setTitle(e.target.value)} /></label>
    <label>${tr(lang, 'views.share')}<select name="view-share" value=${share} onChange=${(e) => setShare(e.target.value)}>
      <option value="me">${tr(lang, 'views.shareMe')}</option>
      ${isAdmin && html`<option value="all">${tr(lang, 'views.shareAll')}</option>`}
      ${isAdmin && groups.map((g) => html`<option key=${g.id} value=${`g${g.id}`}>${tr(lang, 'views.shareGroup', { name: g.name })}</option>`)}
    </select></label>
    <${Conditions} lang=${lang} name="all" rows=${all} setRows=${setAll} agents=${agents} groups=${groups} />
    <${Conditions} lang=${lang} name="any" rows=${any} setRows=${setAny} agents=${agents} groups=${groups} />
    ${kept.all.length + kept.any.length > 0 && html`<p class="muted" data-kept>${tr(lang, 'views.kept')}
      ${[...kept.all, ...kept.any].map((c) => html`<code key=${`${c.field}${c.operator}${c.value}`}> ${c.field} ${c.operator} ${c.value ?? ''} </code>`)}</p>`}
    <fieldset class="columns"><legend>${tr(lang, 'views.columns')}</legend>
      ${COLUMNS.map((c) => html`<label key=${c} class="check"><input type="checkbox" name=${`col-${c}`} checked=${cols.includes(c)} onChange=${() => toggle(c)} />${c === 'id' ? '#' : tr(lang, `col.${c}`)}</label>`)}
    </fieldset>
    <div class="row">
      <label>${tr(lang, 'views.sortBy')}<select name="sort-by" value=${sortBy} onChange=${(e) => setSortBy(e.target.value)}>
        ${COLUMNS.map((c) => html`<option key=${c} value=${c}>${c === 'id' ? '#' : tr(lang, `col.${c}`)}</option>`)}</select></label>
      <label>${tr(lang, 'views.order')}<select name="sort-order" value=${sortOrder} onChange=${(e) => setSortOrder(e.target.value)}>
        <option value="asc">${tr(lang, 'views.asc')}</option><option value="desc">${tr(lang, 'views.desc')}</option></select></label>
      <label>${tr(lang, 'views.groupBy')}<select name="group-by" value=${groupBy} onChange=${(e) => setGroupBy(e.target.value)}>
        <option value="">${tr(lang, 'ticket.none')}</option>
        ${GROUPABLE.map((c) => html`<option key=${c} value=${c}>${tr(lang, `col.${c}`)}</option>`)}</select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions">
      <button class="primary" type="submit" disabled=${busy}>${tr(lang, 'views.save')}</button>
      ${id && html`<button type="button" class="danger" onClick=${remove}>${tr(lang, 'views.delete')}</button>`}
    </div>
  </form>`;
}

addStrings({
  en: {
    'views.newTitle': 'New view',
    'views.editTitle': 'Edit view',
    'views.title': 'Title',
    'views.share': 'Who can use it',
    'views.shareMe': 'Only me',
    'views.shareAll': 'All agents',
    'views.shareGroup': 'Group: {name}',
    'views.all': 'Tickets must meet all of these conditions',
    'views.any': 'Tickets can meet any of these conditions',
    'views.addCondition': 'Add condition',
    'views.columns': 'Columns',
    'views.sortBy': 'Sort by',
    'views.order': 'Order',
    'views.asc': 'Ascending',
    'views.desc': 'Descending',
    'views.groupBy': 'Group by',
    'views.save': 'Save',
    'views.delete': 'Delete',
    'views.confirmDelete': 'Delete this view?',
    'views.kept': 'Also kept (made outside this editor):',
    'views.me': '(current user)',
    'cond.status': 'Status',
    'cond.priority': 'Priority',
    'cond.type': 'Type',
    'cond.assignee_id': 'Assignee',
    'cond.group_id': 'Group',
    'cond.current_tags': 'Tags',
    'cond.subject_includes_word': 'Subject words',
    'cond.hours_since_created': 'Hours since created',
    'cond.hours_since_updated': 'Hours since updated',
    'op.is': 'is',
    'op.is_not': 'is not',
    'op.less_than': 'less than',
    'op.greater_than': 'greater than',
    'op.includes': 'contains',
    'op.not_includes': 'does not contain',
  },
  ko: {
    'views.newTitle': '새 보기',
    'views.editTitle': '보기 편집',
    'views.title': '제목',
    'views.share': '사용 범위',
    'views.shareMe': '나만',
    'views.shareAll': '모든 상담원',
    'views.shareGroup': '그룹: {name}',
    'views.all': '다음 조건을 모두 만족하는 티켓',
    'views.any': '다음 조건 중 하나라도 만족하는 티켓',
    'views.addCondition': '조건 추가',
    'views.columns': '열',
    'views.sortBy': '정렬 기준',
    'views.order': '순서',
    'views.asc': '오름차순',
    'views.desc': '내림차순',
    'views.groupBy': '묶기 기준',
    'views.save': '저장',
    'views.delete': '삭제',
    'views.confirmDelete': '이 보기를 삭제할까요?',
    'views.kept': '그대로 유지되는 조건 (편집기 밖에서 만든 것):',
    'views.me': '(현재 사용자)',
    'cond.status': '상태',
    'cond.priority': '우선순위',
    'cond.type': '유형',
    'cond.assignee_id': '담당자',
    'cond.group_id': '그룹',
    'cond.current_tags': '태그',
    'cond.subject_includes_word': '제목 단어',
    'cond.hours_since_created': '생성 후 시간',
    'cond.hours_since_updated': '업데이트 후 시간',
    'op.is': '같음',
    'op.is_not': '같지 않음',
    'op.less_than': '미만',
    'op.greater_than': '초과',
    'op.includes': '포함',
    'op.not_includes': '포함하지 않음',
  },
});
