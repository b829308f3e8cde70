/* A conversation page (inbox/templates/inbox/conversation.html): the live thread, the reply box with
 * canned replies and private notes, Claim / Hand back / Resolve / Reopen, typing and read markers.
 *
 * Texts from customers and agents are put in the page with textContent, never as HTML. A bot message
 * shows its `html`, which the server made from the bot's Markdown and sanitised (helpdesk/formatting.py),
 * with its sources as links; a bot message without it is text too.
 *
 * The root element's data-conversation-id and data-last-seq (the last message the page was rendered
 * with) say what to open on the socket and where to resume. An earlier page of the history (?before=)
 * has no #messages list and no reply box: it shows nothing live. */

import { interpolate, translationsFromPage } from "../shared/i18n.js";
import { newClientMsgId } from "../shared/socket.js";
import { ORDER_KEY, conversationUrl, connectAgent, statusLabel } from "./agent.js";
import { installShortcuts } from "./shortcuts.js";
import { timeElement } from "./times.js";

const t = translationsFromPage();
const root = document.getElementById("conversation");
const conversationId = Number(root.dataset.conversationId);
let lastSeq = Number(root.dataset.lastSeq || 0);
let readSeq = 0; // the last seq this page marked read
const mine = new Set(); // client_msg_ids of the replies sent from this page
const messages = document.getElementById("messages");
const thread = messages || document.getElementById("messages-earlier");
const newBelow = document.getElementById("new-below");
const form = document.getElementById("reply");
const replyError = document.getElementById("reply-error");
// Claim, Hand back to bot, Resolve and Reopen: each button's id is the frame it sends, and the status
// says which of them the page offers (the server's table, rendered with the page).
const actionButtons = ["claim", "handback", "resolve", "reopen"].map((id) => document.getElementById(id)).filter(Boolean);
const actionsTable = document.getElementById("conversation-actions");
const actionsByStatus = actionsTable ? JSON.parse(actionsTable.textContent) : {};
const SAFE_LINK = /^https?:\/\//i;

function authorLabel(m) {
  if (m.author_kind === "customer") return t.gettext("Customer");
  if (m.author_kind === "system") return t.gettext("System");
  return m.author_name || m.author_kind;
}

function messageBody(m) {
  const body = document.createElement("div");
  if (m.author_kind === "bot" && typeof m.html === "string" && m.html) {
    body.className = "body rich";
    body.innerHTML = m.html; // sanitised on the server; only bot messages carry it
  } else {
    body.className = "body";
    body.textContent = m.body;
  }
  return body;
}

/* "Sources: Returns, Delivery" under a bot answer, each title a link to its article (http(s) only). */
function sourcesLine(m) {
  const sources = (m.author_kind === "bot" && m.data && Array.isArray(m.data.sources) && m.data.sources) || [];
  const shown = sources.filter((s) => s && (s.title || s.url));
  if (!shown.length) return null;
  const line = document.createElement("p");
  line.className = "sources";
  line.append("Sources: ");
  shown.forEach((source, i) => {
    if (i) line.append(", ");
    const title = String(source.title || source.url);
    if (source.url && SAFE_LINK.test(source.url)) {
      const a = document.createElement("a");
      a.href = source.url;
      a.target = "_blank";
      a.rel = "nofollow noopener noreferrer";
      a.textContent = title;
      line.append(a);
    } else line.append(title);
  });
  return line;
}

/* The thread follows the newest message unless the agent scrolled up to read older ones; then a
 * "New messages" button says something arrived below. */
const NEAR_BOTTOM_PX = 80;

function atBottom() {
  return !thread || thread.scrollHeight - thread.scrollTop - thread.clientHeight <= NEAR_BOTTOM_PX;
}

function toBottom() {
  if (thread) thread.scrollTop = thread.scrollHeight;
  if (newBelow) newBelow.hidden = true;
  markRead();
}

/* Under an agent's reply to a conversation on the offline path: where it went (inbox/relays.py). */
function relayedLine(m) {
  const relayed = m.author_kind === "agent" && m.data && m.data.relayed;
  if (!relayed) return null;
  const line = document.createElement("p");
  line.className = "relayed";
  line.textContent = relayed.emailed
    ? interpolate(t.gettext("Emailed to the customer on %(reference)s"), relayed)
    : interpolate(t.gettext("Added to %(reference)s (the customer left no email address)"), relayed);
  return line;
}

function addMessage(m) {
  if (!messages || m.conversation_id !== conversationId) return;
  if (messages.querySelector('[data-seq="' + m.seq + '"]')) return;
  const follow = atBottom() || (m.author_kind === "agent" && m.client_msg_id && mine.has(m.client_msg_id));
  const li = document.createElement("li");
  li.className = "msg msg-" + m.author_kind + (m.private ? " msg-private" : "");
  li.dataset.seq = m.seq;
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = authorLabel(m);
  li.append(author, messageBody(m));
  const sources = sourcesLine(m);
  if (sources) li.append(sources);
  const relayed = relayedLine(m);
  if (relayed) li.append(relayed);
  li.append(timeElement(m.created_at));
  // Keep seq order even if frames arrive out of order.
  const after = Array.from(messages.children).find((el) => Number(el.dataset.seq) > m.seq);
  messages.insertBefore(li, after || null);
  // Other modules of the page draw their part of a message (attachments.js: its files).
  li.dispatchEvent(new CustomEvent("message-rendered", { bubbles: true, detail: m }));
  lastSeq = Math.max(lastSeq, m.seq);
  if (follow) toBottom();
  else if (newBelow) newBelow.hidden = false;
}

/* Read markers: what the agent has seen on this page (the newest message, once it is in view). */
function markRead() {
  if (!messages || document.visibilityState !== "visible" || !atBottom() || lastSeq <= readSeq) return;
  readSeq = lastSeq;
  agent.live.send({ type: "read", conversation_id: conversationId, seq: lastSeq });
}

function showStatus(conversation) {
  if (conversation.id !== conversationId) return;
  root.dataset.status = conversation.status;
  root.dataset.assignee = conversation.assignee_id || "";
  document.getElementById("conv-status").textContent = statusLabel(conversation);
  const offered = actionsByStatus[conversation.status] || [];
  for (const button of actionButtons) button.hidden = !offered.includes(button.id);
  // A resolved conversation takes no reply until it is reopened. The box takes room from the thread: a
  // thread that showed its newest message still does.
  const closed = conversation.status === "resolved";
  if (form && form.hidden !== closed) {
    const following = atBottom();
    form.hidden = closed;
    if (following && thread) thread.scrollTop = thread.scrollHeight;
  }
}

function handle(frame) {
  switch (frame.type) {
    case "messages":
      // A resume comes in pages, all sent by the server; "more" says another page follows.
      frame.messages.forEach(addMessage);
      if (frame.more) agent.showState(t.gettext("Loading history…"));
      else agent.showLive();
      break;
    case "message":
    case "ack":
      addMessage(frame.message);
      break;
    case "conversation.status":
    case "conversation.activity":
      showStatus(frame.conversation);
      break;
    case "typing": {
      const typing = document.getElementById("typing");
      if (frame.conversation_id === conversationId && frame.who === "customer") {
        typing.hidden = !frame.typing;
        typing.textContent = t.gettext("The customer is typing…");
      }
      break;
    }
    case "error":
      if (replyError) {
        replyError.hidden = false;
        replyError.textContent = frame.message;
      }
      break;
  }
}

const agent = connectAgent({
  root,
  // Open the conversation on every connect, asking for what came after the last message shown.
  resume: {
    lastSeq: () => lastSeq,
    frame: (seq) => ({ type: "open", conversation_id: conversationId, last_seq: seq }),
  },
  onFrame: handle,
  onState(state) {
    // An action clicked while the socket is down would be lost: the buttons work only while it is up.
    for (const button of actionButtons) button.disabled = state !== "open";
  },
});

document.addEventListener("visibilitychange", markRead);
if (thread) {
  // The newest message first: the page opens at the bottom of the thread.
  thread.scrollTop = thread.scrollHeight;
  thread.addEventListener("scroll", () => {
    if (atBottom()) {
      if (newBelow) newBelow.hidden = true;
      markRead();
    }
  }, { passive: true });
}
if (newBelow) newBelow.addEventListener("click", toBottom);

for (const button of actionButtons) {
  button.addEventListener("click", () => agent.live.send({ type: button.id, conversation_id: conversationId }));
}

if (form) {
  const box = form.elements.text;
  let typingSent = false;
  const sendTyping = (typing) => agent.live.send({ type: "typing", conversation_id: conversationId, typing });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    const frame = {
      type: "message",
      conversation_id: conversationId,
      text,
      client_msg_id: newClientMsgId(),
      private: form.elements.private.checked,
    };
    // Other modules add to the reply (attachments.js: attachment_ids) or hold it back (files uploading).
    if (!form.dispatchEvent(new CustomEvent("reply-compose", { cancelable: true, detail: frame }))) return;
    if (!text && !(frame.attachment_ids || []).length) return;
    mine.add(frame.client_msg_id); // the agent's own reply scrolls the thread to it, wherever they were
    agent.live.sendMessage(frame);
    form.dispatchEvent(new CustomEvent("reply-sent", { detail: frame }));
    box.value = "";
    replyError.hidden = true;
    sendTyping(false);
    typingSent = false;
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", () => {
    if (!typingSent) {
      sendTyping(true);
      typingSent = true;
    }
  });

  // Canned replies: picking one from the searchable list adds its text to the reply.
  const canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", () => {
      const option = Array.from(document.querySelectorAll("#canned-list option")).find((o) => o.value === canned.value);
      if (!option) return;
      box.value = (box.value ? box.value + "\n" : "") + option.dataset.body;
      canned.value = "";
      box.focus();
    });
  }
}

/* Keyboard shortcuts (static/inbox/shortcuts.js). j and k go to the next and previous conversation of the
 * list the inbox page last showed. */
function neighbour(step) {
  let ids = [];
  try {
    ids = JSON.parse(sessionStorage.getItem(ORDER_KEY) || "[]");
  } catch (err) {
    ids = [];
  }
  const at = ids.indexOf(conversationId);
  const next = at === -1 ? null : ids[at + step];
  if (next) {
    location.href = conversationUrl(root, next);
    return;
  }
  agent.showState(step > 0 ? t.gettext("No next conversation in your list") : t.gettext("No previous conversation in your list"));
  setTimeout(() => {
    if (document.getElementById("live-state").dataset.state === "open") agent.showLive();
  }, 3000);
}

function press(id) {
  const button = document.getElementById(id);
  if (button && !button.hidden && !button.disabled) button.click();
}

function write(privately) {
  if (!form || form.hidden) return;
  form.elements.private.checked = privately;
  form.elements.text.focus();
}

installShortcuts({
  menu: agent.menu,
  actions: {
    j: () => neighbour(1),
    k: () => neighbour(-1),
    c: () => press("claim"),
    e: () => press("resolve"),
    r: () => write(false),
    n: () => write(true),
    "/": () => {
      const inbox = document.querySelector(".topbar .brand");
      location.href = (inbox ? inbox.getAttribute("href") : "/inbox/") + "#search";
    },
  },
});
