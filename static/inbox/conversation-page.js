/* A conversation page (inbox/templates/inbox/conversation.html): the live thread, the reply box with
 * canned replies and private notes, Claim / Hand back / Resolve, typing and read markers. Texts from
 * customers, bots and agents are put in the page with textContent, never as HTML.
 *
 * The root element's data-conversation-id and data-last-seq (the last message the page was rendered
 * with) say what to open on the socket and where to resume. An earlier page of the history (?before=)
 * has no #messages list and no reply box: it shows nothing live. */

import { newClientMsgId } from "../shared/socket.js";
import { connectAgent } from "./agent.js";

const root = document.getElementById("conversation");
const conversationId = Number(root.dataset.conversationId);
let lastSeq = Number(root.dataset.lastSeq || 0);
const messages = document.getElementById("messages");
const form = document.getElementById("reply");
const replyError = document.getElementById("reply-error");
// Claim, Hand back to bot and Resolve: each button's id is the frame it sends.
const actionButtons = ["claim", "handback", "resolve"].map((id) => document.getElementById(id)).filter(Boolean);

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
  li.append(author, body);
  messages.append(li);
  lastSeq = Math.max(lastSeq, m.seq);
  li.scrollIntoView({ block: "end" });
  markRead();
}

/* Read markers: what the agent has seen on this page. */
function markRead() {
  if (document.visibilityState === "visible") {
    agent.live.send({ type: "read", conversation_id: conversationId, seq: lastSeq });
  }
}

function showStatus(conversation) {
  if (conversation.id !== conversationId) return;
  document.getElementById("conv-status").textContent = conversation.status;
  const claim = document.getElementById("claim");
  if (claim) claim.hidden = conversation.status === "assigned";
}

function handle(frame) {
  switch (frame.type) {
    case "messages":
      // A resume comes in pages, all sent by the server; "more" says another page follows.
      frame.messages.forEach(addMessage);
      if (frame.more) agent.showState("Loading history…");
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
        typing.textContent = "The customer is typing…";
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
    if (!text) return;
    agent.live.sendMessage({
      type: "message",
      conversation_id: conversationId,
      text,
      client_msg_id: newClientMsgId(),
      private: form.elements.private.checked,
    });
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
