/* The agent inbox: one WebSocket per page, live lists and a live conversation. No build step.
 * Every text from customers, bots and agents is put in the page with textContent, never as HTML. */
(function () {
  "use strict";

  const root = document.getElementById("conversation") || document.getElementById("inbox");
  if (!root) return;
  const state = document.getElementById("live-state");
  const conversationId = root.id === "conversation" ? Number(root.dataset.conversationId) : null;
  let lastSeq = conversationId ? Number(root.dataset.lastSeq || 0) : 0;
  let socket = null;
  let retry = 0;
  const pending = new Map(); // client_msg_id -> frame, resent after a reconnect

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function setState(text) {
    if (state) state.textContent = text;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  /* ---- presence: a heartbeat every 30 s, idle after 5 minutes without input, away by choice ---- */

  const IDLE_MS = 5 * 60 * 1000;
  let lastInput = Date.now();
  let presence = "offline";
  ["keydown", "mousemove", "click", "focus"].forEach(function (name) {
    window.addEventListener(name, function () {
      const wasIdle = Date.now() - lastInput > IDLE_MS;
      lastInput = Date.now();
      if (wasIdle) send({ type: "ping", idle: false });
    }, { passive: true });
  });
  setInterval(function () { send({ type: "ping", idle: Date.now() - lastInput > IDLE_MS }); }, 30000);

  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary presence";
  toggle.hidden = true;
  toggle.addEventListener("click", function () {
    send({ type: "presence", status: presence === "away" ? "online" : "away" });
  });
  const nav = document.querySelector(".topbar nav");
  if (nav) nav.insertBefore(toggle, nav.firstChild);

  function showPresence(status) {
    presence = status;
    toggle.hidden = false;
    toggle.textContent = status === "away" ? "Away · go online" : "Online · go away";
    setState(status === "away" ? "Live (you are away)" : "Live");
  }

  let everConnected = false;

  /* After a dropped socket the lists may have missed events: fetch them again from the server. */
  function refreshLists() {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("inbox");
        if (fresh) root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes));
      })
      .catch(function () { /* the next reconnect tries again */ });
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + root.dataset.socket);
    socket.addEventListener("open", function () {
      if (everConnected && !conversationId) refreshLists();
      everConnected = true;
      retry = 0;
      setState("Live");
      if (conversationId) {
        send({ type: "open", conversation_id: conversationId, last_seq: lastSeq });
        pending.forEach(function (frame) { send(frame); });
      }
    });
    socket.addEventListener("message", function (e) {
      let frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      handle(frame);
    });
    socket.addEventListener("close", function (e) {
      setState("Reconnecting…");
      /* 4401: logged out; 4403: access removed or changed. Reloading shows the login page or the inbox as
       * the agent's membership now allows. */
      if (e.code === 4401 || e.code === 4403) { setState("Not allowed: please log in again."); setTimeout(function () { location.reload(); }, 1500); return; }
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * Math.pow(2, retry));
    });
  }

  /* ---- inbox lists ---- */

  function rowFor(conversation) {
    const reason = conversation.handoff_reason;
    const li = document.createElement("li");
    li.className = "conv-row status-" + conversation.status + " fresh";
    li.dataset.conversationId = conversation.id;
    const a = document.createElement("a");
    a.href = "/inbox/c/" + conversation.id + "/";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = conversation.contact.name || conversation.contact.email || ("Visitor #" + conversation.contact.id);
    a.appendChild(who);
    if (reason) {
      const badge = document.createElement("span");
      badge.className = "badge reason-" + reason;
      badge.textContent = conversation.handoff_reason_label || reason;
      a.appendChild(badge);
    }
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = conversation.status;
    a.appendChild(status);
    li.appendChild(a);
    return li;
  }

  function placeRow(listName, conversation) {
    const list = document.querySelector('[data-list="' + listName + '"]');
    if (!list) return;
    const old = list.querySelector('[data-conversation-id="' + conversation.id + '"]');
    if (old) old.remove();
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    if (listName === "waiting") list.appendChild(rowFor(conversation));
    else list.insertBefore(rowFor(conversation), list.firstChild);
    recount();
  }

  function dropRow(listName, id) {
    const list = document.querySelector('[data-list="' + listName + '"]');
    const old = list && list.querySelector('[data-conversation-id="' + id + '"]');
    if (old) { old.remove(); recount(); }
  }

  function recount() {
    document.querySelectorAll("[data-count]").forEach(function (el) {
      const list = document.querySelector('[data-list="' + el.dataset.count + '"]');
      el.textContent = list ? list.querySelectorAll(".conv-row").length : 0;
    });
  }

  function onConversation(conversation) {
    const me = Number(document.body.dataset.me || root.dataset.me || 0);
    if (conversation.status === "waiting") placeRow("waiting", conversation);
    else dropRow("waiting", conversation.id);
    if (conversation.status === "assigned" && conversation.assignee_id === me) placeRow("mine", conversation);
    else dropRow("mine", conversation.id);
    if (["resolved", "offline"].indexOf(conversation.status) === -1) placeRow("open", conversation);
    else dropRow("open", conversation.id);
  }

  /* ---- one conversation ---- */

  const messages = document.getElementById("messages");

  function authorLabel(m) {
    if (m.author_kind === "customer") return "Customer";
    if (m.author_kind === "system") return "System";
    return m.author_name || m.author_kind;
  }

  function addMessage(m) {
    if (!messages || m.conversation_id !== conversationId) return;
    if (messages.querySelector('[data-seq="' + m.seq + '"]')) return;
    const li = document.createElement("li");
    li.className = "msg msg-" + m.author_kind + (m.private ? " msg-private" : "");
    li.dataset.seq = m.seq;
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = authorLabel(m);
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = m.body;
    li.appendChild(author);
    li.appendChild(body);
    messages.appendChild(li);
    lastSeq = Math.max(lastSeq, m.seq);
    li.scrollIntoView({ block: "end" });
    markRead();
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
      case "pong":
        showPresence(frame.presence);
        break;
      case "messages":
        /* A resume comes in pages, all sent by the server; "more" says another page follows. */
        frame.messages.forEach(addMessage);
        setState(frame.more ? "Loading history…" : (presence === "away" ? "Live (you are away)" : "Live"));
        break;
      case "resync":
        /* The server lost live events for a moment (its Redis connection dropped): re-read the lists. */
        if (!conversationId) refreshLists();
        break;
      case "message":
        addMessage(frame.message);
        break;
      case "ack":
        pending.delete(frame.client_msg_id);
        addMessage(frame.message);
        break;
      case "handoff.created":
        onConversation(frame.conversation);
        announce(frame.conversation, false);
        break;
      case "handoff.reoffered":
        onConversation(frame.conversation);
        announce(frame.conversation, true);
        break;
      case "conversation.status":
      case "conversation.activity":
        onConversation(frame.conversation);
        if (conversationId && frame.conversation.id === conversationId) {
          const st = document.getElementById("conv-status");
          if (st) st.textContent = frame.conversation.status;
          const claim = document.getElementById("claim");
          if (claim) claim.hidden = frame.conversation.status === "assigned";
        }
        break;
      case "typing": {
        const t = document.getElementById("typing");
        if (t && frame.conversation_id === conversationId && frame.who === "customer") {
          t.hidden = !frame.typing;
          t.textContent = "The customer is typing…";
        }
        break;
      }
      case "error": {
        if (frame.ref && frame.code !== "server_error") pending.delete(frame.ref);
        const err = document.getElementById("reply-error");
        if (err) { err.hidden = false; err.textContent = frame.message; }
        break;
      }
    }
  }

  const form = document.getElementById("reply");
  if (form) {
    const box = form.elements.text;
    let typingSent = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      const frame = {
        type: "message", conversation_id: conversationId, text: text,
        client_msg_id: uuid(), private: form.elements.private.checked,
      };
      pending.set(frame.client_msg_id, frame);
      send(frame);
      box.value = "";
      document.getElementById("reply-error").hidden = true;
      send({ type: "typing", conversation_id: conversationId, typing: false });
      typingSent = false;
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    box.addEventListener("input", function () {
      if (!typingSent) { send({ type: "typing", conversation_id: conversationId, typing: true }); typingSent = true; }
    });
  }
  ["claim", "handback", "resolve"].forEach(function (action) {
    const button = document.getElementById(action);
    if (button) button.addEventListener("click", function () { send({ type: action, conversation_id: conversationId }); });
  });

  /* ---- canned replies: pick one from the searchable list to insert it ---- */
  const canned = document.getElementById("canned");
  if (canned && form) {
    canned.addEventListener("change", function () {
      const option = Array.prototype.find.call(
        document.querySelectorAll("#canned-list option"), function (o) { return o.value === canned.value; });
      if (!option) return;
      const box = form.elements.text;
      box.value = (box.value ? box.value + "\n" : "") + option.dataset.body;
      canned.value = "";
      box.focus();
    });
  }

  /* ---- read markers: what the agent has seen on this page ---- */
  function markRead() {
    if (conversationId && document.visibilityState === "visible") {
      send({ type: "read", conversation_id: conversationId, seq: lastSeq });
    }
  }
  document.addEventListener("visibilitychange", markRead);

  /* ---- a sound and a desktop notification on a new handoff, unless muted ---- */
  const MUTE_KEY = "helpdesk-inbox-muted";
  const muteButton = document.createElement("button");
  muteButton.type = "button";
  muteButton.className = "secondary";
  function muted() { return localStorage.getItem(MUTE_KEY) === "1"; }
  function showMute() { muteButton.textContent = muted() ? "Sound off" : "Sound on"; }
  muteButton.addEventListener("click", function () {
    localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
    showMute();
    if (!muted() && window.Notification && Notification.permission === "default") Notification.requestPermission();
  });
  showMute();
  if (nav) nav.insertBefore(muteButton, nav.firstChild);

  function chime() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio here */ }
  }

  function announce(conversation, again) {
    if (muted()) return;
    chime();
    if (window.Notification && Notification.permission === "granted" && document.visibilityState !== "visible") {
      const who = conversation.contact.name || conversation.contact.email || "A customer";
      const n = new Notification(again ? "Still waiting: " + who : "New handoff: " + who, {
        body: conversation.handoff_reason_label || "Waiting for an agent", tag: "conv-" + conversation.id,
      });
      n.onclick = function () { window.focus(); location.href = "/inbox/c/" + conversation.id + "/"; };
    }
  }

  connect();
})();
