// prefsdialog.js - the preferences dialog (loaded when first opened):
// theme (light/dark), language (Korean/English; the browser's by default),
// density (compact/comfortable) and default view, each applied at once and
// kept by App in localStorage; and the password change (PUT
// users/{id}/password.json with the current password, which the server
// checks).
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ApiError } from './api.js';
import { t as tr, addStrings } from './i18n.js';
import { VIEWS } from './shared.js';

function PasswordForm({ lang, user }) {
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [msg, setMsg] = useState(null); // {ok, text}
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (next !== again) return setMsg({ ok: false, text: tr(lang, 'prefs.pw.mismatch') });
    setBusy(true);
    try {
      await api('PUT', `users/${user.id}/password.json`, { previous_password: cur, password: next });
      setCur('');
      setNext('');
      setAgain('');
      setMsg({ ok: true, text: tr(lang, 'prefs.pw.done') });
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError && err.status === 422 ? err.message : tr(lang, 'error.save', { msg: err.message }) });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="pw" onSubmit=${submit} aria-labelledby="pw-title">
    <h3 id="pw-title">${tr(lang, 'prefs.pw.title')}</h3>
    <label>${tr(lang, 'prefs.pw.current')}<input name="current-password" type="password" autocomplete="current-password" required value=${cur} onInput=${(e) => setCur(e.target.value)} /></label>
    <label>${tr(lang, 'prefs.pw.new')}<input name="new-password" type="password" autocomplete="new-password" minlength="8" required value=${next} onInput=${(e) => setNext(e.target.value)} /></label>
    <label>${tr(lang, 'prefs.pw.again')}<input name="new-password-again" type="password" autocomplete="new-password" minlength="8" required value=${again} onInput=${(e) => setAgain(e.target.value)} /></label>
    ${msg && html`<p class=${msg.ok ? 'ok' : 'error'} role="status">${msg.text}</p>`}
    <button type="submit" disabled=${busy}>${tr(lang, 'prefs.pw.submit')}</button>
  </form>`;
}

// The preferences dialog: every choice applies at once.
export function PrefsDialog({ lang, prefs, setPref, customViews, user, onClose }) {
  const row = (name, label, options) => html`<label class="pref">${tr(lang, label)}
    <select name=${name} value=${prefs[name]} onChange=${(e) => setPref(name, e.target.value)}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select></label>`;
  return html`<div class="overlay" role="dialog" aria-modal="true" aria-labelledby="prefs-title" onClick=${onClose}>
    <div class="card prefs-dialog" onClick=${(e) => e.stopPropagation()}>
      <h2 id="prefs-title">${tr(lang, 'prefs.title')}</h2>
      ${row('theme', 'prefs.theme', [['light', tr(lang, 'nav.light')], ['dark', tr(lang, 'nav.dark')]])}
      ${row('lang', 'prefs.lang', [['ko', '한국어'], ['en', 'English']])}
      ${row('density', 'prefs.density', [['comfortable', tr(lang, 'prefs.comfortable')], ['compact', tr(lang, 'prefs.compact')]])}
      ${row('defaultView', 'prefs.defaultView', [
        ...VIEWS.map((v) => [v.key, tr(lang, `view.${v.key}`)]),
        ...customViews.map((v) => [`c${v.id}`, v.title]),
      ])}
      <${PasswordForm} lang=${lang} user=${user} />
      <button onClick=${onClose}>${tr(lang, 'help.close')}</button>
    </div>
  </div>`;
}

addStrings({
  en: {
    'error.save': 'Could not save: {msg}',
    'prefs.theme': 'Theme',
    'prefs.lang': 'Language',
    'prefs.density': 'Density',
    'prefs.comfortable': 'Comfortable',
    'prefs.compact': 'Compact',
    'prefs.defaultView': 'Default view',
    'prefs.pw.title': 'Change password',
    'prefs.pw.current': 'Current password',
    'prefs.pw.new': 'New password (8 characters or more)',
    'prefs.pw.again': 'New password again',
    'prefs.pw.submit': 'Change password',
    'prefs.pw.mismatch': 'The new passwords do not match.',
    'prefs.pw.done': 'Your password was changed.',
  },
  ko: {
    'error.save': '저장하지 못했습니다: {msg}',
    'prefs.theme': '테마',
    'prefs.lang': '언어',
    'prefs.density': '화면 밀도',
    'prefs.comfortable': '넉넉하게',
    'prefs.compact': '촘촘하게',
    'prefs.defaultView': '기본 보기',
    'prefs.pw.title': '비밀번호 변경',
    'prefs.pw.current': '현재 비밀번호',
    'prefs.pw.new': '새 비밀번호 (8자 이상)',
    'prefs.pw.again': '새 비밀번호 확인',
    'prefs.pw.submit': '비밀번호 변경',
    'prefs.pw.mismatch': '새 비밀번호가 서로 다릅니다.',
    'prefs.pw.done': '비밀번호를 바꿨습니다.',
  },
});
