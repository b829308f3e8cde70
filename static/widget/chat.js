/* The chat widget itself, loaded by widget.js (the script tag customers put on their sites).
 *
 * It opens a visitor session over HTTP (POST /api/v1/widget/sessions/), then talks JSON over a
 * WebSocket (shared/socket.js): messages are keyed by seq, so none shows twice; a reconnect asks for
 * everything after the last seq shown; a message not yet acknowledged is sent again with the same
 * client_msg_id, which the server stores only once.
 *
 * Opening the widget stores nothing: a new visitor gets a token and no conversation, and the widget shows
 * the bot's greeting from the session's answer. The visitor's first message starts the conversation on
 * the server, which answers with a "session" frame carrying the conversation's token; the widget keeps
 * that token (in place of the first) to resume the conversation later.
 *
 * Everything lives in a shadow root with its own stylesheet (widget.css), so the host page's CSS cannot
 * break the widget and the widget's cannot touch the page. Texts from customers and agents go in with
 * textContent, never as HTML; a bot's answer shows the HTML the server rendered from its Markdown and
 * sanitised (the message's html field), links, lists, bold and code only. Every word a person reads is in
 * stringsIn(), in the customer's language: the site's data-lang if it sets one, else the first of the
 * browser's languages the product speaks, else the bot's language (static/shared/i18n.js). */

import { Translations, interpolate, languageChoose, translationsLoad } from "../shared/i18n.js";
import { CLOSE_NOT_AUTHENTICATED, LiveSocket, frameFits, newClientMsgId, socketUrl } from "../shared/socket.js";
import { ACCEPT, attachmentList, createUploader } from "./attachments.js";

/* The languages the widget's words are translated into: settings.LANGUAGES (a test keeps the two the same). */
export const LANGUAGES = ["en", "es", "fr", "de", "pt"];

/* Every word a person reads, in one place: English inside gettext() calls, which `makemessages -d
 * djangojs` collects into locale/<lang>/LC_MESSAGES/djangojs.po, looked up in the loaded catalog. */
export function stringsIn(t) {
  return {
    openChat: t.gettext("Open chat"),
    openChatUnread: (count) =>
      interpolate(t.ngettext("Open chat, %(count)s new message", "Open chat, %(count)s new messages", count), {
        count,
      }),
    closeChat: t.gettext("Close chat"),
    chat: t.gettext("Chat"),
    message: t.gettext("Message"),
    placeholder: t.gettext("Type your message…"),
    send: t.gettext("Send"),
    sources: t.gettext("Sources:"),
    connection: {
      connecting: t.gettext("Connecting…"),
      open: t.gettext("Connected"),
      reconnecting: t.gettext("Reconnecting…"),
      offline: t.gettext("Offline"),
    },
    status: {
      bot: "",
      waiting: t.gettext("Connecting you with a person…"),
      resolved: t.gettext("Resolved"),
      offline: t.gettext("Our team is away"),
    },
    agentIsHere: (name) => interpolate(t.gettext("%(name)s is here"), { name }),
    withAnAgent: t.gettext("With an agent"),
    theBot: t.gettext("The assistant"),
    theAgent: t.gettext("The agent"),
    isTyping: (who) => interpolate(t.gettext("%(name)s is typing…"), { name: who }),
    tooLarge: t.gettext("That message was too large to send."),
    tooLong: t.gettext("That message is too long to send."),
    unreachable: t.gettext("We couldn't reach the chat. Retrying…"),
    rateQuestion: t.gettext("How did we do?"),
    rateStar: (n) => interpolate(t.gettext("%(score)s of 5"), { score: n }),
    rateComment: t.gettext("Anything to add? (optional)"),
    rateSend: t.gettext("Send rating"),
    rateThanks: t.gettext("Thanks for your feedback!"),
    attach: t.gettext("Attach an image or a PDF"),
    uploading: t.gettext("Uploading…"),
    removeFile: (name) => interpolate(t.gettext("Remove %(name)s"), { name }),
    fileTooLarge: t.gettext("That file is too large to send."),
    fileWrongType: t.gettext("Only images and PDF files can be sent."),
    fileFailed: t.gettext("That file could not be sent."),
    waitForFiles: t.gettext("Wait until your files have uploaded."),
  };
}

/* The widget's words in `lang` (English, or the English of anything a catalog lacks, when it cannot load). */
function stringsLoad(apiOrigin, lang) {
  return translationsLoad(`${apiOrigin}/api/v1/widget/i18n/${lang}.json`, lang).then(stringsIn);
}

/* Widths at or under this get the full-screen panel (widget.css has the same figure). */
const PHONE_MAX_WIDTH = 480;

const ICONS = {
  chat:
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 ' +
    '2 0 0 1-2 2H9l-4.2 3.4A.5.5 0 0 1 4 21v-3a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm3 6.25a1.25 1.25 0 1 0 0 ' +
    '2.5 1.25 1.25 0 0 0 0-2.5Zm5 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5Zm5 0a1.25 1.25 0 1 0 0 ' +
    '2.5 1.25 1.25 0 0 0 0-2.5Z"/></svg>',
  close:
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6.7 5.3 12 10.6l5.3-5.3a1 1 ' +
    "0 1 1 1.4 1.4L13.4 12l5.3 5.3a1 1 0 0 1-1.4 1.4L12 13.4l-5.3 5.3a1 1 0 0 1-1.4-1.4l5.3-5.3-5.3-5.3a1 " +
    '1 0 0 1 1.4-1.4Z"/></svg>',
  clip:
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 ' +
    '0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 ' +
    '0v-10h-1.5Z"/></svg>',
  send:
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3.4 20.4 21 12 3.4 3.6a.6.6 ' +
    '0 0 0-.8.7L4.5 11 13 12l-8.5 1-1.9 6.7a.6.6 0 0 0 .8.7Z"/></svg>',
};

/* Words come in from STRINGS by key: data-t (text), data-t-label (aria-label), data-t-placeholder. */
const MARKUP = `
  <div class="root">
    <section class="panel" role="dialog" data-t-label="chat" hidden>
      <header>
        <div class="heading">
          <h2 class="title" data-t="chat"></h2>
          <p class="sub">
            <span class="conn" role="status"><i class="dot"></i><span class="conn-text"></span></span>
            <span class="state"></span>
          </p>
        </div>
        <button class="close" type="button" data-t-label="closeChat">${ICONS.close}</button>
      </header>
      <ol class="log" aria-live="polite"></ol>
      <div class="typing"></div>
      <div class="err" role="alert"></div>
      <div class="rate" hidden>
        <p class="rate-q" data-t="rateQuestion"></p>
        <div class="stars" role="group" data-t-label="rateQuestion"></div>
        <input class="rate-comment" type="text" maxlength="1000" data-t-label="rateComment"
          data-t-placeholder="rateComment">
        <button class="rate-send" type="button" data-t="rateSend" disabled></button>
        <p class="rate-thanks" data-t="rateThanks" hidden></p>
      </div>
      <ul class="pending" hidden></ul>
      <form>
        <label class="clip" data-t-label="attach"><input type="file" accept="${ACCEPT}" multiple hidden>${ICONS.clip}</label>
        <textarea rows="1" maxlength="4000" data-t-label="message" data-t-placeholder="placeholder"></textarea>
        <button class="send" type="submit">${ICONS.send}<span data-t="send"></span></button>
      </form>
    </section>
    <button class="launcher" type="button" data-t-label="openChat" aria-expanded="false">
      <span class="icon icon-chat">${ICONS.chat}</span><span class="icon icon-close">${ICONS.close}</span>
      <span class="badge" hidden></span>
    </button>
  </div>`;

function applyStrings(root, strings) {
  root.querySelectorAll("[data-t]").forEach((el) => (el.textContent = strings[el.dataset.t]));
  root.querySelectorAll("[data-t-label]").forEach((el) => el.setAttribute("aria-label", strings[el.dataset.tLabel]));
  root.querySelectorAll("[data-t-placeholder]").forEach((el) => (el.placeholder = strings[el.dataset.tPlaceholder]));
}

/* A message's time as people read a clock where they are: "14:05" (or "2:05 PM", by their locale). */
const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function timeElement(iso) {
  const when = new Date(iso);
  const el = document.createElement("time");
  if (Number.isNaN(when.getTime())) return el;
  el.dateTime = iso;
  el.textContent = clock.format(when);
  return el;
}

/* Resolves once the stylesheet has loaded (or failed: the widget still works unstyled), so the widget
 * never shows without its styles. */
function stylesheetLoaded(link) {
  return new Promise((resolve) => {
    link.addEventListener("load", resolve, { once: true });
    link.addEventListener("error", resolve, { once: true });
  });
}

/* Put the widget on the page. options: botKey, apiOrigin (the helpdesk's origin), startOpen, title, lang
 * (the site's choice of language for the widget's words, if any). startOpen is ignored on phones: there
 * the panel fills the screen and would hide the whole site. */
export async function mountWidget({ botKey, apiOrigin, startOpen = false, title = "", user = null, lang = "" }) {
  const storeKey = "helpdesk-widget:" + botKey;
  // The site's language if it names one; else the first of the browser's that the helpdesk speaks; else
  // (null) the conversation's or the bot's, once the session says which.
  const chosen = languageChoose([lang], LANGUAGES, null);
  const browsers = languageChoose(navigator.languages || [navigator.language], LANGUAGES, null);
  let shownLang = chosen || browsers || "en";
  let STRINGS = await stringsLoad(apiOrigin, shownLang);

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
  applyStrings(markup.content, STRINGS);
  shadow.append(markup.content);

  const root = shadow.querySelector(".root");
  const launcher = shadow.querySelector(".launcher");
  const badge = shadow.querySelector(".badge");
  const panel = shadow.querySelector(".panel");
  const closeButton = shadow.querySelector(".close");
  const log = shadow.querySelector(".log");
  const typing = shadow.querySelector(".typing");
  const errorBox = shadow.querySelector(".err");
  const stateBox = shadow.querySelector(".state");
  const rateBox = shadow.querySelector(".rate");
  const stars = shadow.querySelector(".stars");
  const rateComment = shadow.querySelector(".rate-comment");
  const rateSend = shadow.querySelector(".rate-send");
  const rateThanks = shadow.querySelector(".rate-thanks");
  const connBox = shadow.querySelector(".conn");
  const connText = shadow.querySelector(".conn-text");
  const form = shadow.querySelector("form");
  const box = shadow.querySelector("textarea");
  const fileInput = shadow.querySelector(".clip input");

  let token = null;
  let socketPath = null;
  let conversationId = null;
  let lastSeq = 0;
  let started = false;
  let unread = 0;
  let connection = "connecting";

  /* What the customer sees of the connection: connected, reconnecting or offline (the device has no
   * network, or the widget gave up). */
  function showConnection() {
    const shown = !navigator.onLine || connection === "stopped" ? "offline" : connection;
    connBox.dataset.state = shown;
    connText.textContent = STRINGS.connection[shown];
  }

  const live = new LiveSocket({
    url: () => socketUrl(socketPath, apiOrigin, { token }),
    resume: { lastSeq: () => lastSeq, param: "last_seq" },
    onFrame: handle,
    onState(state) {
      // For styling and tests: connecting, open, reconnecting or stopped.
      panel.dataset.connection = state;
      connection = state;
      showConnection();
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
      if (event.code === 1009) errorBox.textContent = STRINGS.tooLarge;
      return true;
    },
  });
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  showConnection();

  function saved() {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || "{}");
    } catch (err) {
      return {};
    }
  }

  function savedToken() {
    return saved().token || "";
  }

  /* Whether the saved token names a conversation (not only a visitor who has not written yet). Tokens
   * saved before conversation_id was kept always named one. */
  function savedConversation() {
    const stored = saved();
    return !!stored.token && stored.conversation_id !== null;
  }

  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ token, conversation_id: conversationId }));
    } catch (err) {
      /* private mode: the conversation lasts as long as the page */
    }
  }

  function sourcesLine(sources) {
    const line = document.createElement("div");
    line.className = "sources";
    line.append(STRINGS.sources + " ");
    sources.forEach((source, i) => {
      if (i) line.append(", ");
      if (source.url && /^https?:\/\//.test(source.url)) {
        const a = document.createElement("a");
        a.href = source.url;
        a.target = "_blank";
        a.rel = "nofollow noopener noreferrer";
        a.textContent = source.title || source.url;
        line.append(a);
      } else {
        line.append(source.title);
      }
    });
    return line;
  }

  /* The bot's answers come as HTML the server rendered from Markdown and sanitised (helpdesk/formatting.py);
   * everyone else's text, and the bot's when no HTML came, goes in as text. */
  function messageText(m) {
    const text = document.createElement("div");
    if (m.author_kind === "bot" && typeof m.html === "string" && m.html) {
      text.className = "text rich";
      text.innerHTML = m.html;
    } else {
      text.className = "text";
      text.textContent = m.body;
    }
    return text;
  }

  /* Before the visitor writes there is no conversation, so nothing stored to show: the greeting comes
   * from the session's answer, shown like the bot's message it becomes (seq 1) once the visitor writes,
   * which then takes its place. */
  function showGreeting(text, botName) {
    if (!text || log.children.length) return;
    const li = document.createElement("li");
    li.className = "m m-bot greeting-pending";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = botName || "";
    const body = document.createElement("div");
    body.className = "text";
    body.textContent = text;
    li.append(who, body);
    log.append(li);
  }

  function addMessage(m, { live: arrivedLive = false } = {}) {
    if (m.private) return;
    if (log.querySelector('[data-seq="' + m.seq + '"]')) return;
    if (m.data && m.data.greeting) log.querySelectorAll(".greeting-pending").forEach((el) => el.remove());
    const li = document.createElement("li");
    li.className = "m m-" + m.author_kind;
    li.dataset.seq = m.seq;
    if (m.author_kind === "bot" || m.author_kind === "agent") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.author_name || "";
      li.append(who);
    }
    li.append(messageText(m));
    const sources = (m.data && m.data.sources) || [];
    if (sources.length) li.append(sourcesLine(sources));
    if (m.attachments && m.attachments.length) li.append(attachmentList(m.attachments, { apiOrigin, token }));
    if (m.created_at) li.append(timeElement(m.created_at));
    // Keep seq order even if frames arrive out of order.
    const after = Array.from(log.children).find((el) => Number(el.dataset.seq) > m.seq);
    log.insertBefore(li, after || null);
    lastSeq = Math.max(lastSeq, m.seq);
    log.scrollTop = log.scrollHeight;
    // The greeting is never news: the page showed it before the visitor wrote.
    const news = m.author_kind !== "customer" && !(m.data && m.data.greeting);
    if (arrivedLive && panel.hidden && news) markUnread();
  }

  /* The launcher says what it does and, while closed, how many answers wait unread. */
  function showLauncher() {
    const isOpen = !panel.hidden;
    launcher.setAttribute("aria-expanded", String(isOpen));
    if (isOpen) launcher.setAttribute("aria-label", STRINGS.closeChat);
    else launcher.setAttribute("aria-label", unread ? STRINGS.openChatUnread(unread) : STRINGS.openChat);
    badge.hidden = isOpen || !unread;
    badge.textContent = unread > 9 ? "9+" : unread ? String(unread) : "";
  }

  function markUnread() {
    unread += 1;
    showLauncher();
  }

  let shownStatus = ["bot", ""];
  function setStatus(status, agentName) {
    shownStatus = [status, agentName];
    if (status === "agent") stateBox.textContent = agentName ? STRINGS.agentIsHere(agentName) : STRINGS.withAnAgent;
    else stateBox.textContent = STRINGS.status[status] || "";
    showRating(status === "resolved");
  }

  /* CSAT: a resolved conversation asks for a rating (1 to 5 and an optional comment); a new message
     reopens the conversation and puts the question away. */
  let score = 0;
  for (let n = 1; n <= 5; n += 1) {
    const star = document.createElement("button");
    star.type = "button";
    star.className = "star";
    star.textContent = "★";
    star.dataset.score = String(n);
    star.setAttribute("aria-label", STRINGS.rateStar(n));
    star.setAttribute("aria-pressed", "false");
    star.addEventListener("click", () => {
      score = n;
      stars.querySelectorAll(".star").forEach((el) => {
        el.setAttribute("aria-pressed", String(Number(el.dataset.score) <= n));
      });
      rateSend.disabled = false;
    });
    stars.appendChild(star);
  }
  rateSend.addEventListener("click", () => {
    if (score && live.send({ type: "rate", score, comment: rateComment.value.trim() })) rateSend.disabled = true;
  });

  function showRating(resolved) {
    if (resolved && rateBox.hidden) {
      score = 0;
      rateSend.disabled = true;
      rateComment.value = "";
      stars.querySelectorAll(".star").forEach((el) => el.setAttribute("aria-pressed", "false"));
      [stars, rateComment, rateSend, shadow.querySelector(".rate-q")].forEach((el) => (el.hidden = false));
      rateThanks.hidden = true;
    }
    rateBox.hidden = !resolved;
  }

  function rated() {
    [stars, rateComment, rateSend, shadow.querySelector(".rate-q")].forEach((el) => (el.hidden = true));
    rateThanks.hidden = false;
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        setStatus(frame.status);
        break;
      case "session":
        // The first message started the conversation: keep its token, to resume it later.
        token = frame.token;
        conversationId = frame.conversation_id;
        save();
        break;
      case "messages":
        // A resume comes in pages; the server sends them all, "more" says another page follows.
        frame.messages.forEach((m) => addMessage(m, { live: true }));
        stateBox.classList.toggle("loading", !!frame.more);
        break;
      case "message":
        addMessage(frame.message, { live: true });
        typing.textContent = "";
        break;
      case "ack":
        addMessage(frame.message);
        break;
      case "status":
        setStatus(frame.status, frame.agent_name);
        break;
      case "rated":
        rated();
        break;
      case "typing": {
        const who = frame.who === "bot" ? STRINGS.theBot : frame.name || STRINGS.theAgent;
        typing.textContent = frame.typing ? STRINGS.isTyping(who) : "";
        break;
      }
      case "error":
        errorBox.textContent = frame.message;
        break;
    }
  }

  /* Once the session answers: the words follow the site's choice, else the language the customer wrote
   * in (a resumed conversation), else the browser's, else the bot's. */
  async function followLanguage(session) {
    const wanted =
      chosen ||
      languageChoose([session.language], LANGUAGES, null) ||
      browsers ||
      languageChoose([session.bot.language], LANGUAGES, "en");
    if (wanted === shownLang) return;
    shownLang = wanted;
    STRINGS = await stringsLoad(apiOrigin, wanted);
    applyStrings(shadow, STRINGS);
    shadow.querySelector(".title").textContent = title || session.bot.name;
    shadow.querySelectorAll(".star").forEach((star) => star.setAttribute("aria-label", STRINGS.rateStar(Number(star.dataset.score))));
    showConnection();
    showLauncher();
    setStatus(...shownStatus);
  }

  async function start() {
    try {
      const response = await fetch(apiOrigin + "/api/v1/widget/sessions/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ bot_key: botKey, token: savedToken(), ...(user || {}) }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const session = await response.json();
      token = session.token;
      socketPath = session.socket_path;
      if (conversationId !== null && session.conversation_id !== conversationId) {
        // The old conversation could not be resumed (its token had expired): start again, alone.
        log.replaceChildren();
        lastSeq = 0;
      }
      conversationId = session.conversation_id;
      save();
      shadow.querySelector(".title").textContent = title || session.bot.name;
      session.messages.forEach((m) => addMessage(m));
      if (conversationId === null) showGreeting(session.bot.greeting, session.bot.name);
      setStatus(session.status);
      followLanguage(session); // in the background: the chat does not wait for a catalog
      live.start();
    } catch (err) {
      connection = "reconnecting";
      showConnection();
      errorBox.textContent = STRINGS.unreachable;
      setTimeout(start, 3000);
    }
  }

  /* On a phone the panel fills the visual viewport: the part of the screen the on-screen keyboard leaves,
   * so the message box stays in sight while typing (the CSS falls back to 100dvh without the API). */
  function fitToVisualViewport() {
    const viewport = window.visualViewport;
    if (!viewport) return;
    host.style.setProperty("--vv-height", viewport.height + "px");
    host.style.setProperty("--vv-top", viewport.offsetTop + "px");
    if (!panel.hidden) log.scrollTop = log.scrollHeight;
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitToVisualViewport);
    window.visualViewport.addEventListener("scroll", fitToVisualViewport);
    fitToVisualViewport();
  }

  function isPhone() {
    return window.matchMedia("(max-width: " + PHONE_MAX_WIDTH + "px)").matches;
  }

  function open({ focus = true } = {}) {
    panel.hidden = false;
    root.classList.add("is-open");
    unread = 0;
    showLauncher();
    if (!started) {
      started = true;
      start();
    }
    fitToVisualViewport();
    log.scrollTop = log.scrollHeight;
    if (focus) box.focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("is-open");
    showLauncher();
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  closeButton.addEventListener("click", close);
  shadow.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });

  function fitBox() {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight, 120) + "px";
  }

  /* The paperclip: files chosen or pasted are uploaded at once and go with the next message. */
  const uploader = createUploader({
    apiOrigin,
    list: shadow.querySelector(".pending"),
    strings: () => STRINGS,
    token: () => token,
    onChange: () => (errorBox.textContent = ""),
  });
  fileInput.addEventListener("change", () => {
    Array.from(fileInput.files).forEach(uploader.add);
    fileInput.value = "";
  });
  box.addEventListener("paste", (event) => {
    const files = Array.from((event.clipboardData && event.clipboardData.files) || []);
    if (!files.length) return;
    event.preventDefault();
    files.forEach(uploader.add);
  });

  let typingSent = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (uploader.busy()) {
      errorBox.textContent = STRINGS.waitForFiles;
      return;
    }
    const attachmentIds = uploader.ids();
    if (!text && !attachmentIds.length) return;
    const frame = { type: "message", text, client_msg_id: newClientMsgId() };
    if (attachmentIds.length) frame.attachment_ids = attachmentIds;
    if (!frameFits(frame)) {
      errorBox.textContent = STRINGS.tooLong;
      return;
    }
    live.sendMessage(frame);
    live.send({ type: "typing", typing: false });
    typingSent = false;
    box.value = "";
    uploader.clear();
    fitBox();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", () => {
    fitBox();
    if (!typingSent && live.send({ type: "typing", typing: true })) typingSent = true;
  });

  if (startOpen && !isPhone()) open({ focus: false });
  else if (savedConversation()) {
    // A conversation is under way (an earlier page): follow it while closed, so an answer shows on the badge.
    started = true;
    start();
  }
}
