/* The chat widget itself, loaded by widget.js (the script tag customers put on their sites).
 *
 * It opens a visitor session over HTTP (POST /api/v1/widget/sessions/), then talks JSON over a
 * WebSocket (shared/socket.js): messages are keyed by seq, so none shows twice; a reconnect asks for
 * everything after the last seq shown; a message not yet acknowledged is sent again with the same
 * client_msg_id, which the server stores only once.
 *
 * Everything lives in a shadow root with its own stylesheet (widget.css), so the host page's CSS cannot
 * break the widget and the widget's cannot touch the page. Texts from customers, bots and agents go in
 * with textContent, never as HTML. */

import { CLOSE_NOT_AUTHENTICATED, LiveSocket, frameFits, newClientMsgId, socketUrl } from "../shared/socket.js";

const MARKUP = `
  <button class="launcher" aria-label="Open chat" aria-expanded="false">?</button>
  <section class="panel" role="dialog" aria-label="Chat" hidden>
    <header><span class="title">Chat</span><small class="state"></small></header>
    <ol class="log" aria-live="polite"></ol>
    <div class="typing"></div>
    <div class="err" role="alert"></div>
    <form>
      <textarea aria-label="Message" maxlength="4000" placeholder="Type your message…"></textarea>
      <button class="send" type="submit">Send</button>
    </form>
  </section>`;

const STATUS_WORDS = {
  bot: "",
  waiting: "Connecting you with a person…",
  resolved: "Resolved",
  offline: "Our team is away",
};

/* Resolves once the stylesheet has loaded (or failed: the widget still works unstyled), so the widget
 * never shows without its styles. */
function stylesheetLoaded(link) {
  return new Promise((resolve) => {
    link.addEventListener("load", resolve, { once: true });
    link.addEventListener("error", resolve, { once: true });
  });
}

/* Put the widget on the page. options: botKey, apiOrigin (the helpdesk's origin), startOpen, title. */
export async function mountWidget({ botKey, apiOrigin, startOpen = false, title = "" }) {
  const storeKey = "helpdesk-widget:" + botKey;

  const host = document.createElement("div");
  host.id = "helpdesk-widget";
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("widget.css", import.meta.url).href;
  shadow.appendChild(link);
  await stylesheetLoaded(link);
  const markup = document.createElement("template");
  markup.innerHTML = MARKUP;
  shadow.append(markup.content);

  const launcher = shadow.querySelector(".launcher");
  const panel = shadow.querySelector(".panel");
  const log = shadow.querySelector(".log");
  const typing = shadow.querySelector(".typing");
  const errorBox = shadow.querySelector(".err");
  const stateBox = shadow.querySelector(".state");
  const form = shadow.querySelector("form");
  const box = shadow.querySelector("textarea");

  let token = null;
  let socketPath = null;
  let conversationId = null;
  let lastSeq = 0;
  let started = false;

  const live = new LiveSocket({
    url: () => socketUrl(socketPath, apiOrigin, { token }),
    resume: { lastSeq: () => lastSeq, param: "last_seq" },
    onFrame: handle,
    onState(state) {
      // For styling and tests: connecting, open, reconnecting or stopped.
      panel.dataset.connection = state;
      if (state === "open") errorBox.textContent = "";
    },
    onClose(event) {
      if (event.code === CLOSE_NOT_AUTHENTICATED) {
        // The token expired or is no longer valid: start a new session (it keeps the conversation when
        // the server can) instead of reconnecting with the same token.
        token = null;
        save();
        start();
        return false;
      }
      /* 1009: a frame over the server's WebSocket limit (browsers may report 1006); frames over
       * MAX_FRAME_BYTES are never sent, so this is only a reconnect. */
      if (event.code === 1009) errorBox.textContent = "That message was too large to send.";
      return true;
    },
  });

  function savedToken() {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || "{}").token || "";
    } catch (err) {
      return "";
    }
  }

  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ token }));
    } catch (err) {
      /* private mode: the conversation lasts as long as the page */
    }
  }

  function sourcesLine(sources) {
    const line = document.createElement("div");
    line.className = "sources";
    line.append("Sources: ");
    sources.forEach((source, i) => {
      if (i) line.append(", ");
      if (source.url && /^https?:\/\//.test(source.url)) {
        const a = document.createElement("a");
        a.href = source.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = source.title;
        line.append(a);
      } else {
        line.append(source.title);
      }
    });
    return line;
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
      li.append(who);
    }
    li.append(m.body);
    const sources = (m.data && m.data.sources) || [];
    if (sources.length) li.append(sourcesLine(sources));
    // Keep seq order even if frames arrive out of order.
    const after = Array.from(log.children).find((el) => Number(el.dataset.seq) > m.seq);
    log.insertBefore(li, after || null);
    lastSeq = Math.max(lastSeq, m.seq);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(status, agentName) {
    if (status === "agent") stateBox.textContent = agentName ? agentName + " is here" : "With an agent";
    else stateBox.textContent = STATUS_WORDS[status] || "";
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        setStatus(frame.status);
        break;
      case "messages":
        // A resume comes in pages; the server sends them all, "more" says another page follows.
        frame.messages.forEach(addMessage);
        stateBox.classList.toggle("loading", !!frame.more);
        break;
      case "message":
        addMessage(frame.message);
        typing.textContent = "";
        break;
      case "ack":
        addMessage(frame.message);
        break;
      case "status":
        setStatus(frame.status, frame.agent_name);
        break;
      case "typing": {
        const who = frame.who === "bot" ? "The assistant" : frame.name || "The agent";
        typing.textContent = frame.typing ? who + " is typing…" : "";
        break;
      }
      case "error":
        errorBox.textContent = frame.message;
        break;
    }
  }

  async function start() {
    try {
      const response = await fetch(apiOrigin + "/api/v1/widget/sessions/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ bot_key: botKey, token: savedToken() }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const session = await response.json();
      token = session.token;
      socketPath = session.socket_path;
      save();
      if (conversationId !== null && session.conversation_id !== conversationId) {
        // The old conversation could not be resumed (its token had expired): show the new one alone.
        log.replaceChildren();
        lastSeq = 0;
      }
      conversationId = session.conversation_id;
      shadow.querySelector(".title").textContent = title || session.bot.name;
      session.messages.forEach(addMessage);
      setStatus(session.status);
      live.start();
    } catch (err) {
      errorBox.textContent = "We couldn't reach the chat. Retrying…";
      setTimeout(start, 3000);
    }
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (!started) {
      started = true;
      start();
    }
    box.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));

  let typingSent = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    const frame = { type: "message", text, client_msg_id: newClientMsgId() };
    if (!frameFits(frame)) {
      errorBox.textContent = "That message is too long to send.";
      return;
    }
    live.sendMessage(frame);
    live.send({ type: "typing", typing: false });
    typingSent = false;
    box.value = "";
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", () => {
    if (!typingSent && live.send({ type: "typing", typing: true })) typingSent = true;
  });

  if (startOpen) open();
}
