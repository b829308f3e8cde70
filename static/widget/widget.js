/* The chat widget. Embed it with:
 *   <script src="https://YOUR-HELPDESK/static/widget/widget.js" data-bot-key="pk_..." async></script>
 * It opens a visitor session over HTTP (POST /api/v1/widget/sessions/), then talks JSON over a WebSocket.
 * Messages are keyed by seq (no duplicates); a reconnect asks for everything after the last seq it has;
 * an unacknowledged message is resent with the same client_msg_id, which the server stores only once.
 * Options (data- attributes): data-bot-key (required), data-open="true" to start open, data-title. */
(function () {
  "use strict";

  const script = document.currentScript || document.querySelector("script[data-bot-key]");
  if (!script) return;
  const botKey = script.dataset.botKey;
  const base = new URL(script.src, location.href);
  const origin = base.origin;
  const storeKey = "helpdesk-widget:" + botKey;

  const host = document.createElement("div");
  host.id = "helpdesk-widget";
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  shadow.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2f5bd3;color:#fff;font:600 24px system-ui;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}' +
    '.panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.22);font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;overflow:hidden}' +
    '.panel[hidden]{display:none}' +
    'header{padding:12px 14px;background:#2f5bd3;color:#fff;font-weight:600;display:flex;justify-content:space-between;align-items:center}' +
    'header small{font-weight:400;opacity:.85}' +
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;margin:0;list-style:none}' +
    '.m{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}' +
    '.m-customer{align-self:flex-end;background:#2f5bd3;color:#fff}' +
    '.m-bot,.m-agent{align-self:flex-start;background:#eef1f6}' +
    '.m-agent{background:#d9f2e3}' +
    '.m-system{align-self:center;color:#5b6475;font-size:12px}' +
    '.m .who{display:block;font-size:11px;opacity:.75}' +
    '.m a{color:inherit}' +
    '.sources{font-size:12px;margin-top:4px}' +
    '.typing{padding:0 14px 6px;color:#5b6475;font-size:12px;min-height:18px}' +
    'form{display:flex;gap:6px;padding:10px;border-top:1px solid #dde2ea}' +
    'textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #dde2ea;border-radius:8px;height:40px}' +
    'button.send{border:0;background:#2f5bd3;color:#fff;border-radius:8px;padding:0 14px;font:inherit;cursor:pointer}' +
    '.err{color:#b4490c;font-size:12px;padding:0 14px}' +
    '</style>' +
    '<button class="launcher" aria-label="Open chat" aria-expanded="false">?</button>' +
    '<section class="panel" role="dialog" aria-label="Chat" hidden>' +
    '<header><span class="title">Chat</span><small class="state"></small></header>' +
    '<ol class="log" aria-live="polite"></ol>' +
    '<div class="typing"></div><div class="err" role="alert"></div>' +
    '<form><textarea aria-label="Message" maxlength="4000" placeholder="Type your message…"></textarea>' +
    '<button class="send" type="submit">Send</button></form>' +
    '</section>';

  const launcher = shadow.querySelector(".launcher");
  const panel = shadow.querySelector(".panel");
  const log = shadow.querySelector(".log");
  const typing = shadow.querySelector(".typing");
  const errorBox = shadow.querySelector(".err");
  const stateBox = shadow.querySelector(".state");
  const form = shadow.querySelector("form");
  const box = shadow.querySelector("textarea");

  let token = null;
  let lastSeq = 0;
  let socket = null;
  let retry = 0;
  let started = false;
  const pending = new Map();

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function saved() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }

  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify({ token: token })); } catch (e) { /* private mode */ }
  }

  function addMessage(m) {
    if (m.private) return;
    if (log.querySelector('[data-seq="' + m.seq + '"]')) return;
    const li = document.createElement("li");
    li.className = "m m-" + m.author_kind;
    li.dataset.seq = m.seq;
    if (m.author_kind === "bot" || m.author_kind === "agent") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.author_name || "";
      li.appendChild(who);
    }
    li.appendChild(document.createTextNode(m.body));
    const sources = (m.data && m.data.sources) || [];
    if (sources.length) {
      const p = document.createElement("div");
      p.className = "sources";
      p.appendChild(document.createTextNode("Sources: "));
      sources.forEach(function (s, i) {
        if (i) p.appendChild(document.createTextNode(", "));
        if (s.url && /^https?:\/\//.test(s.url)) {
          const a = document.createElement("a");
          a.href = s.url; a.target = "_blank"; a.rel = "noopener noreferrer"; a.textContent = s.title;
          p.appendChild(a);
        } else {
          p.appendChild(document.createTextNode(s.title));
        }
      });
      li.appendChild(p);
    }
    // Keep seq order even if frames arrive out of order.
    const after = Array.prototype.find.call(log.children, function (el) { return Number(el.dataset.seq) > m.seq; });
    log.insertBefore(li, after || null);
    lastSeq = Math.max(lastSeq, m.seq);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(status, agentName) {
    const words = { bot: "", waiting: "Connecting you with a person…", agent: agentName ? agentName + " is here" : "With an agent", resolved: "Resolved", offline: "Our team is away" };
    stateBox.textContent = words[status] || "";
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello": setStatus(frame.status); break;
      /* A resume comes in pages; the server sends them all, "more" says another page follows. */
      case "messages": frame.messages.forEach(addMessage); stateBox.classList.toggle("loading", !!frame.more); break;
      case "message": addMessage(frame.message); typing.textContent = ""; break;
      case "ack": pending.delete(frame.client_msg_id); addMessage(frame.message); break;
      case "status": setStatus(frame.status, frame.agent_name); break;
      case "typing":
        typing.textContent = frame.typing ? ((frame.who === "bot" ? "The assistant" : (frame.name || "The agent")) + " is typing…") : "";
        break;
      case "error":
        errorBox.textContent = frame.message;
        /* The server refused this message for good (too long, bad text): do not resend it on reconnect.
         * A server_error may be retried: the client_msg_id makes the resend safe. */
        if (frame.ref && frame.code !== "server_error") pending.delete(frame.ref);
        break;
    }
  }

  function connect() {
    const url = new URL("/ws/widget/", origin);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", token);
    url.searchParams.set("last_seq", String(lastSeq));
    socket = new WebSocket(url.toString());
    socket.addEventListener("open", function () {
      retry = 0;
      errorBox.textContent = "";
      pending.forEach(function (frame) { socket.send(JSON.stringify(frame)); });
    });
    socket.addEventListener("message", function (e) {
      try { handle(JSON.parse(e.data)); } catch (err) { /* ignore a bad frame */ }
    });
    socket.addEventListener("close", function (e) {
      if (e.code === 4401) { token = null; save(); start(); return; }
      /* 1009: a frame over the server's WebSocket limit (browsers may report 1006); frames over
       * MAX_FRAME_BYTES are never sent, so this is only a reconnect. */
      if (e.code === 1009) errorBox.textContent = "That message was too large to send.";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * Math.pow(2, retry));
    });
  }

  function start() {
    fetch(origin + "/api/v1/widget/sessions/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ bot_key: botKey, token: saved().token || "" }),
    })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (session) {
        token = session.token;
        save();
        shadow.querySelector(".title").textContent = script.dataset.title || session.bot.name;
        session.messages.forEach(addMessage);
        setStatus(session.status);
        connect();
      })
      .catch(function () {
        errorBox.textContent = "We couldn't reach the chat. Retrying…";
        setTimeout(start, 3000);
      });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (!started) { started = true; start(); }
    box.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(); else { panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); }
  });

  const MAX_FRAME_BYTES = 64 * 1024; // the server's frame limit (helpdesk/consumers.py)
  let typingSent = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    const frame = { type: "message", text: text, client_msg_id: uuid() };
    if (new Blob([JSON.stringify(frame)]).size > MAX_FRAME_BYTES) {
      errorBox.textContent = "That message is too long to send.";
      return;
    }
    pending.set(frame.client_msg_id, frame);
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      socket.send(JSON.stringify({ type: "typing", typing: false }));
    }
    typingSent = false;
    box.value = "";
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  box.addEventListener("input", function () {
    if (!typingSent && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "typing", typing: true }));
      typingSent = true;
    }
  });

  if (script.dataset.open === "true") open();
})();
