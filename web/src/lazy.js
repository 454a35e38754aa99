// lazy.js - components fetched on first use: lazy(load, name) returns a
// component that renders nothing until load() (an import() of the module)
// has resolved, then the module's export `name` with the same props.  The
// module is asked for once; preload() starts that early (idle time).
import { useState, useEffect } from 'preact/hooks';
import { h } from 'preact';

export function lazy(load, name) {
  let mod = null;
  let promise = null;
  const get = () => promise || (promise = load().then((m) => { mod = m; return m; }).catch((e) => { promise = null; throw e; }));
  function Lazy(props) {
    const [, ready] = useState(!!mod);
    useEffect(() => { if (!mod) get().then(() => ready(true)).catch(() => {}); }, []);
    return mod ? h(mod[name], props) : null;
  }
  Lazy.preload = () => get().catch(() => {});
  return Lazy;
}
