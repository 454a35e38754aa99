// loader.js - what a website embeds:
//   <script src="https://desk.example/messenger/widget.js" data-site-key="KEY" async></script>
// Optional: data-jwt="..." (a signed identity from the site's backend), or
// later window.SonnimMessenger.identify(jwt).  It adds one iframe from the
// Sonnim origin (the launcher, and the messenger when opened) and resizes it
// when the app inside asks; everything else happens inside the iframe, so
// the page's scripts and styles and the messenger never touch each other.
(function () {
  const me = document.currentScript || document.querySelector('script[data-site-key]');
  if (!me || window.SonnimMessenger) return;
  const key = me.getAttribute('data-site-key') || '';
  const base = new URL(me.src, location.href).origin;
  const f = document.createElement('iframe');
  const q = new URLSearchParams({ site: key, page: location.href, lang: navigator.language || 'en' });
  f.src = `${base}/messenger/frame?${q}`;
  f.title = 'Messenger';
  f.setAttribute('data-sonnim-messenger', '');
  f.allow = 'clipboard-write';
  const st = f.style;
  st.cssText = 'position:fixed;right:16px;bottom:16px;width:84px;height:84px;border:0;z-index:2147483000;background:transparent;color-scheme:light;';
  let jwt = me.getAttribute('data-jwt') || '';
  let ready = false;
  const send = (m) => f.contentWindow && f.contentWindow.postMessage(m, base);
  window.addEventListener('message', (e) => {
    if (e.origin !== base || e.source !== f.contentWindow || !e.data) return;
    if (e.data.type === 'sonnim:size') {
      const w = Math.min(e.data.width, window.innerWidth - 16);
      const h = Math.min(e.data.height, window.innerHeight - 16);
      st.width = `${w}px`;
      st.height = `${h}px`;
    } else if (e.data.type === 'sonnim:ready') {
      ready = true;
      if (jwt) send({ type: 'sonnim:identify', jwt });
    }
  });
  window.SonnimMessenger = {
    identify(token) {
      jwt = token;
      if (ready) send({ type: 'sonnim:identify', jwt });
    },
    open() { send({ type: 'sonnim:open' }); },
  };
  const add = () => document.body.appendChild(f);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
})();
