/* Foot Drop Assistant chat widget for Rasa's socket.io channel. Plain JS, no build step.
 * Config (optional): window.FootDropWidgetConfig = {serverUrl, socketPath, title, greeting, colors: {primary, text}},
 *   or data-server-url on the script tag ("same-origin" behind a proxy on the page's origin).
 * Loads footdrop-widget.css and vendor/socket.io.min.js from its own folder.
 * API: window.FootDropWidget.open() / .close() / .clear() (clear = Start over).
 * Hooks: #fdw-root #fdw-bubble #fdw-panel #fdw-close #fdw-restart #fdw-log
 *   #fdw-status (data-state; hidden while connected, inside a role=status region)
 *   .fdw-msg.fdw-user .fdw-msg.fdw-bot (.fdw-greeting: local, not stored) .fdw-text .fdw-source
 *   .fdw-quick-replies button .fdw-emergency .fdw-emergency-label .fdw-pending #fdw-typing
 *   #fdw-input #fdw-send #fdw-disclaimer
 * sessionStorage: fdw.session (uuid4), fdw.secret (the conversation's secret from session_confirm),
 *   fdw.transcript (messages; pending ones = offline queue).
 */
(function () {
  'use strict';
  if (window.FootDropWidget) return;

  // Configuration
  const me = document.currentScript || document.querySelector('script[src*="footdrop-widget"]');
  const base = new URL('.', me && me.src ? me.src : location.href).href;
  const user = window.FootDropWidgetConfig || {};
  // Or, on a page that allows no inline script: <script src=".../footdrop-widget.js" data-server-url="...">
  // ("same-origin": the assistant is behind the page's own origin).
  const attribute = me && me.dataset ? me.dataset.serverUrl : '';
  const cfg = {
    serverUrl: user.serverUrl || (attribute === 'same-origin' ? location.origin : attribute) ||
      (location.protocol === 'https:' ? 'https://' : 'http://') + (location.hostname || 'localhost') + ':5005',
    socketPath: user.socketPath || '/socket.io',
    title: user.title || 'Foot Drop Assistant',
    greeting: user.greeting != null ? String(user.greeting) : 'Hi! Ask me about foot drop.',
    colors: Object.assign({ primary: '#0b5cad', text: '#ffffff' }, user.colors)
  };
  const STATUS = { connecting: 'Connecting\u2026', online: 'Connected', offline: 'Offline \u2014 reconnecting\u2026',
    unavailable: 'Chat unavailable \u2014 please try again later.' };

  // Session id and transcript, kept in sessionStorage
  function load(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function save() {
    try {
      sessionStorage.setItem('fdw.session', sessionId);
      if (secret) sessionStorage.setItem('fdw.secret', secret); else sessionStorage.removeItem('fdw.secret');
      sessionStorage.setItem('fdw.transcript', JSON.stringify(transcript));
    } catch (e) { /* storage blocked: this page only */ }
  }
  function uuid4() {
    const c = window.crypto;
    if (c.randomUUID) return c.randomUUID();
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; // version 4
    b[8] = (b[8] & 63) | 128; // RFC 4122 variant
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  }
  let sessionId = load('fdw.session');
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) sessionId = uuid4();
  // The conversation's secret (footdrop_rasa/channels/ownership.py): without it, the session id alone
  // does not reach the conversation after a reload or a reconnect.
  let secret = load('fdw.secret');
  if (!/^[A-Za-z0-9_-]{32}$/.test(secret || '')) secret = null;
  let transcript = null;
  try { transcript = JSON.parse(load('fdw.transcript')); } catch (e) { /* start afresh */ }
  transcript = (Array.isArray(transcript) ? transcript : []).filter((m) => m && /^(user|bot)$/.test(m.role) && typeof m.text === 'string');
  save();

  // DOM helpers: text only ever goes in as text nodes, never as HTML
  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const k in attrs) {
      if (k === 'text') n.textContent = attrs[k];
      else n.setAttribute(k, attrs[k]);
    }
    kids.forEach((kid) => n.appendChild(kid));
    return n;
  }
  const txt = (s) => document.createTextNode(s);

  // Markdown subset: **bold**, *italic*, http(s) links, "- " list lines, line breaks.
  // A URL does not end in punctuation ("see https://example.org.").
  const INLINE = /\*\*(.+?)\*\*|\*([^\s*](?:[^*]*[^\s*])?)\*|\bhttps?:\/\/[^\s<>"]*[^\s<>"'.,;:!?)\]]/g;

  function link(href) {
    let u;
    try { u = new URL(href); } catch (e) { return null; }
    if (!/^https?:$/.test(u.protocol)) return null; // only http(s) becomes a link
    return el('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer', text: href });
  }

  function inline(text, parent) {
    const re = new RegExp(INLINE.source, 'g');
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      const tok = m[0];
      parent.appendChild(txt(text.slice(last, m.index)));
      if (m[1] !== undefined) inline(m[1], parent.appendChild(el('strong')));
      else if (m[2] !== undefined) inline(m[2], parent.appendChild(el('em')));
      else parent.appendChild(link(tok) || txt(tok));
      last = re.lastIndex;
    }
    parent.appendChild(txt(text.slice(last)));
  }

  function rich(text) {
    const frag = document.createDocumentFragment();
    let list = null;
    text.split('\n').forEach((line, i) => {
      const item = /^\s*- (.*)$/.exec(line);
      if (item) {
        list = list || frag.appendChild(el('ul'));
        inline(item[1], list.appendChild(el('li')));
      } else {
        if (i && !list) frag.appendChild(el('br'));
        list = null;
        inline(line, frag);
      }
    });
    return frag;
  }

  // The widget's elements
  const SVG = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(SVG, 'svg');
  const path = icon.appendChild(document.createElementNS(SVG, 'path'));
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  const bubble = el('button', { id: 'fdw-bubble', 'aria-expanded': 'false', 'aria-controls': 'fdw-panel' },
    icon, el('span', { class: 'fdw-sr', text: 'Chat with ' + cfg.title }));
  const restartBtn = el('button', { id: 'fdw-restart', class: 'fdw-hbtn', text: 'Start over' });
  const closeBtn = el('button', { id: 'fdw-close', class: 'fdw-hbtn', 'aria-label': 'Close chat' },
    el('span', { 'aria-hidden': 'true', text: '\u00d7' }));
  const status = el('p', { id: 'fdw-status' }); // hidden while connected
  const log = el('div', { id: 'fdw-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
  const typing = el('p', { id: 'fdw-typing', hidden: '', text: 'The assistant is typing\u2026' });
  const input = el('input', { id: 'fdw-input', type: 'text', autocomplete: 'off', maxlength: '1000', enterkeyhint: 'send', placeholder: 'Type your question\u2026' });
  const form = el('form', { id: 'fdw-form' }, el('label', { for: 'fdw-input', class: 'fdw-sr', text: 'Your message' }),
    input, el('button', { id: 'fdw-send', type: 'submit', text: 'Send' }));
  const panel = el('div', { id: 'fdw-panel', role: 'dialog', 'aria-labelledby': 'fdw-title', hidden: '' },
    el('div', { class: 'fdw-header' }, el('h2', { id: 'fdw-title', text: cfg.title }), restartBtn, closeBtn),
    el('div', { role: 'status' }, status), log, typing, form, el('p', { id: 'fdw-disclaimer', text: 'General information, not a diagnosis.' }));
  const root = el('aside', { id: 'fdw-root', 'aria-label': cfg.title + ' chat' }, panel, bubble);
  root.style.setProperty('--fdw-primary', cfg.colors.primary);
  root.style.setProperty('--fdw-on-primary', cfg.colors.text);

  function setStatus(state) {
    status.hidden = state === 'online';
    status.setAttribute('data-state', state);
    status.textContent = STATUS[state];
  }
  setStatus('connecting');

  // Messages. Entry: {role, text, source?, emergency?, call?, replies?, pending?, payload?}
  const nodes = new WeakMap(); // entry -> its element
  const scrollDown = () => { log.scrollTop = log.scrollHeight; };

  function markEmergency(box, call) {
    box.classList.add('fdw-emergency');
    box.setAttribute('role', 'alert'); // before the label goes in, so that it is announced
    box.prepend(el('p', { class: 'fdw-emergency-label' }, el('span', { 'aria-hidden': 'true', text: '\u26a0 ' }),
      txt('Emergency' + (call ? ' \u2014 call ' + call : ''))));
  }

  function render(m) {
    const box = el('div', { class: 'fdw-msg fdw-' + m.role });
    if (m.text) box.appendChild(el('div', { class: 'fdw-text' }, m.role === 'bot' ? rich(m.text) : txt(m.text)));
    if (m.source) box.appendChild(el('p', { class: 'fdw-source', text: m.source }));
    if (m.pending && !ready) box.classList.add('fdw-pending'); // its note is CSS ::after, not message text
    if (m.emergency) markEmergency(box, m.call);
    if (Array.isArray(m.replies)) {
      const group = box.appendChild(el('div', { class: 'fdw-quick-replies', role: 'group', 'aria-label': 'Suggested replies' }));
      m.replies.forEach((r) => {
        group.appendChild(el('button', { text: r.title }))
          .addEventListener('click', () => { send(r.title, r.payload); input.focus(); });
      });
    }
    nodes.set(m, log.appendChild(box));
    scrollDown();
  }

  function renderAll() {
    log.textContent = '';
    if (cfg.greeting) log.appendChild(el('div', { class: 'fdw-msg fdw-bot fdw-greeting' }, el('div', { class: 'fdw-text' }, rich(cfg.greeting))));
    transcript.forEach(render);
  }

  function add(m) {
    transcript.push(m);
    save();
    render(m);
    return m;
  }

  // An answer's last line "From: <section>" becomes its caption.
  function addBot(text, replies) {
    const lines = text.replace(/\s+$/, '').split('\n');
    const m = { role: 'bot' };
    if (/^From: /.test(lines[lines.length - 1].trim())) m.source = lines.pop().trim();
    m.text = lines.join('\n');
    if (replies.length) m.replies = replies;
    return add(m);
  }

  // The emergency marker styles the latest assistant message.
  function onEmergency(call) {
    const m = transcript.filter((x) => x.role === 'bot').pop() ||
      addBot('This may be an emergency. Call ' + (call || 'your local emergency number') + ' now.', []);
    if (m.emergency) return;
    m.emergency = true;
    m.call = call ? String(call) : '';
    save();
    markEmergency(nodes.get(m), m.call);
    scrollDown();
  }

  // bot_uttered: {text}, {text, quick_replies}, or custom JSON such as {emergency: true, call}
  function onBot(msg) {
    if (!msg || typeof msg !== 'object') return;
    typingOff();
    const text = typeof msg.text === 'string' ? msg.text : '';
    const replies = (Array.isArray(msg.quick_replies) ? msg.quick_replies : [])
      .filter((r) => r && r.title != null)
      .map((r) => ({ title: String(r.title), payload: String(r.payload != null ? r.payload : r.title) }));
    if (text.trim() || replies.length) addBot(text, replies);
    if (msg.emergency === true) onEmergency(msg.call);
  }

  // Typing indicator: from sending until a reply arrives, at most 15 s
  let typingTimer = 0;
  function typingOff() {
    typing.hidden = true;
    clearTimeout(typingTimer);
  }
  function typingOn() {
    typingOff();
    typing.hidden = false;
    typingTimer = setTimeout(typingOff, 15000);
    scrollDown();
  }

  // socket.io, loaded and connected on first open
  let socket = null;
  let ready = false; // session_confirm received on the current connection
  let loading = false;

  function connect() {
    if (socket || loading) return;
    setStatus('connecting');
    if (typeof window.io !== 'function') {
      loading = true;
      const s = document.head.appendChild(el('script', { src: base + 'vendor/socket.io.min.js' }));
      s.onload = s.onerror = () => {
        loading = false;
        if (typeof window.io === 'function') connect(); else setStatus('unavailable');
      };
      return;
    }
    // socket.io reconnects by itself, without limit; every connect asks for our session again.
    socket = window.io(cfg.serverUrl, { path: cfg.socketPath, transports: ['websocket'], reconnectionAttempts: Infinity, reconnectionDelayMax: 10000 });
    socket.on('connect', () => {
      setStatus('online');
      socket.emit('session_request', secret ? { session_id: sessionId, conversation_secret: secret } : { session_id: sessionId });
    });
    socket.on('session_confirm', (confirmed) => {
      if (confirmed && typeof confirmed === 'object') {
        if (/^[0-9a-f-]{32,36}$/i.test(confirmed.session_id || '')) sessionId = confirmed.session_id;
        if (/^[A-Za-z0-9_-]{32}$/.test(confirmed.conversation_secret || '')) secret = confirmed.conversation_secret;
        save();
      }
      ready = true;
      flush();
    });
    socket.on('bot_uttered', onBot);
    socket.on('connect_error', () => {
      setStatus('offline');
      // a server that is stopping refuses the connection; socket.io does not retry that by itself
      if (!socket.active) setTimeout(() => { if (socket && !socket.connected) socket.connect(); }, 2000);
    });
    socket.on('disconnect', (reason) => {
      ready = false;
      requeue();
      typingOff();
      if (reason === 'io client disconnect') return; // our own Start over
      setStatus('offline');
      if (reason === 'io server disconnect') socket.connect(); // the one case socket.io does not retry
    });
  }

  // Send the queued (pending) patient messages, oldest first. A message stays pending until the
  // server acknowledges it ({accepted: true}); a server that is stopping answers
  // {accepted: false}, and a connection lost before the answer leaves it pending too: it is
  // sent again once connected (to the restarted server).
  function flush() {
    if (!ready) return;
    const queue = transcript.filter((m) => m.pending && !inFlight.has(m));
    queue.forEach((m) => {
      inFlight.add(m);
      mark(m, false);
      socket.emit('user_uttered', { message: m.payload != null ? m.payload : m.text, session_id: sessionId }, (ack) => {
        if (!inFlight.delete(m)) return; // the connection was lost meanwhile: already pending again
        if (ack && ack.accepted === false) {
          mark(m, true);
          return;
        }
        delete m.pending;
        delete m.payload;
        save();
      });
    });
    if (queue.length) typingOn();
  }
  const inFlight = new Set(); // sent on this connection, not acknowledged yet
  function requeue() {
    inFlight.forEach((m) => mark(m, true));
    inFlight.clear();
  }
  function mark(m, pending) {
    const node = nodes.get(m);
    if (node) node.classList.toggle('fdw-pending', pending);
  }

  // Show the patient's words (or the button's title), send them (or its payload).
  // Quick replies answer the latest question: any patient message removes them.
  function send(text, payload) {
    text = String(text).trim();
    if (!text) return;
    transcript.forEach((m) => { delete m.replies; });
    log.querySelectorAll('.fdw-quick-replies').forEach((n) => n.remove());
    const m = { role: 'user', text: text, pending: true };
    if (payload != null && payload !== text) m.payload = payload;
    add(m);
    flush();
  }

  function show(on) {
    panel.hidden = !on;
    root.classList.toggle('fdw-open', on);
    bubble.setAttribute('aria-expanded', String(on));
  }
  function open() {
    show(true);
    connect();
    scrollDown();
    input.focus();
  }
  function close() {
    const hadFocus = root.contains(document.activeElement);
    show(false);
    if (hadFocus) bubble.focus();
  }

  // Start over: new session id, empty transcript, reconnect ("connect" sends session_request).
  function restart() {
    sessionId = uuid4();
    secret = null;
    transcript = [];
    save();
    typingOff();
    renderAll();
    if (socket) {
      ready = false;
      setStatus('connecting');
      socket.disconnect().connect();
    }
  }

  bubble.addEventListener('click', () => (panel.hidden ? open() : close()));
  closeBtn.addEventListener('click', close);
  restartBtn.addEventListener('click', () => { restart(); input.focus(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send(input.value);
    input.value = '';
  });
  root.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || panel.hidden) return;
    e.preventDefault();
    close();
    bubble.focus();
  });

  function start() {
    const css = document.head.appendChild(el('link', { rel: 'stylesheet', href: base + 'footdrop-widget.css' }));
    root.style.visibility = 'hidden'; // until styled
    css.onload = css.onerror = () => { root.style.visibility = ''; };
    renderAll();
    document.body.appendChild(root);
  }

  window.FootDropWidget = { open: open, close: close, clear: restart };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
