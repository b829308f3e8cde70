/* The JSON WebSocket every page of ours uses (the widget and the agents' pages): it reconnects with
 * backoff and jitter, resumes from the last seq the page shows, resends messages the server has not
 * acknowledged, watches a heartbeat, and reports its state. The protocol is in the README ("The widget")
 * and in helpdesk/consumers.py.
 *
 * Resume: the server sends everything after the seq a client names, so the page says which seq it has
 * shown last (options.resume.lastSeq) and this module names it on every connect, either in the URL
 * (?last_seq=N, the widget) or in a first frame (the inbox's {type: "open", last_seq}).
 *
 * Messages: a frame sent with sendMessage() carries a client_msg_id and is kept until its "ack" (or an
 * error that refuses it for good) arrives; after a reconnect it is sent again. The server stores a
 * client_msg_id once, so a resend never makes a second message. */

/* The server's limit on one frame (MAX_FRAME_BYTES in helpdesk/consumers.py). */
export const MAX_FRAME_BYTES = 64 * 1024;

/* Close codes after which reconnecting with the same credentials cannot help (helpdesk/consumers.py). */
export const CLOSE_NOT_AUTHENTICATED = 4401;
export const CLOSE_NOT_ALLOWED = 4403;

export function newClientMsgId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
}

/* Whether a frame is small enough for the server to take it. */
export function frameFits(frame) {
  return new Blob([JSON.stringify(frame)]).size <= MAX_FRAME_BYTES;
}

/* The ws:// or wss:// URL of a socket path on an http(s) origin, with query parameters. */
export function socketUrl(path, origin, params = {}) {
  const url = new URL(path, origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  return url.toString();
}

/* Wait before reconnect number `attempt` (0 for the first): doubling from baseMs up to maxMs, and a
 * random half of it, so clients dropped together (a server restart) do not all come back at once. */
export function backoffDelay(attempt, { baseMs = 500, maxMs = 16000 } = {}) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export class LiveSocket {
  /* options:
   *   url()              the socket URL, asked before every connect (a token may have changed since)
   *   resume             optional {lastSeq(), param, frame(lastSeq)}: name the page's last seq on every
   *                      connect, as the query parameter `param` and/or as the first frame sent
   *   heartbeat          optional {everyMs, frame(), timeoutMs}: send frame() every everyMs while open;
   *                      when nothing at all arrives within timeoutMs after one, the connection is taken
   *                      for dead (a laptop woke up, a proxy forgot it) and replaced
   *   onOpen()           after each connect, once the resume frame went out, before resends
   *   onFrame(frame)     every frame from the server, parsed
   *   onState(state, info)  "connecting", "open", "reconnecting" (info.delayMs, info.code) or "stopped"
   *   onClose(event)     return false to stop reconnecting (e.g. on 4401, to start a new session)
   *   backoff            optional {baseMs, maxMs} for backoffDelay */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.heartbeatTimer = null;
    this.silenceTimer = null;
    this.stopped = true;
    this.pending = new Map(); // client_msg_id -> frame, until acknowledged
    this.reconnectNow = () => {
      if (this.timer !== null) this.connect();
    };
  }

  start() {
    this.stopped = false;
    // Back online after a network loss: try at once rather than at the end of the backoff.
    window.addEventListener("online", this.reconnectNow);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.reconnectNow);
    this.clearTimers();
    this.abandon(1000);
    this.setState("stopped", {});
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /* Send a frame now if connected; frames that need no resend (typing, presence) are simply lost
   * while offline. Returns whether it was sent. */
  send(frame) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /* Send a frame with a client_msg_id, and again after every reconnect until it is acknowledged. */
  sendMessage(frame) {
    this.pending.set(frame.client_msg_id, frame);
    this.send(frame);
  }

  connect() {
    this.clearTimers();
    this.abandon(1000);
    const { resume } = this.options;
    let url = this.options.url();
    if (resume && resume.param) {
      const withSeq = new URL(url);
      withSeq.searchParams.set(resume.param, String(resume.lastSeq()));
      url = withSeq.toString();
    }
    this.setState("connecting", { attempt: this.attempt });
    const socket = new WebSocket(url);
    this.socket = socket;
    // Events of a socket this object has let go of (see abandon) are ignored.
    const current = () => this.socket === socket;
    socket.addEventListener("open", () => {
      if (!current()) return;
      if (resume && resume.frame) this.send(resume.frame(resume.lastSeq()));
      if (this.options.onOpen) this.options.onOpen();
      this.pending.forEach((frame) => this.send(frame));
      this.setState("open", {});
      this.startHeartbeat();
    });
    socket.addEventListener("message", (event) => {
      if (!current()) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (err) {
        return; // not JSON: nothing a page could do with it
      }
      // The server answered, so the connection works: the next drop starts the backoff afresh.
      this.attempt = 0;
      clearTimeout(this.silenceTimer);
      this.silenceTimer = null;
      this.settle(frame);
      this.options.onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (current()) this.closed(event);
    });
  }

  /* Forget messages the server has answered for good. A server_error may be retried: the resend with
   * the same client_msg_id is safe. */
  settle(frame) {
    if (frame.type === "ack") this.pending.delete(frame.client_msg_id);
    else if (frame.type === "error" && frame.ref && frame.code !== "server_error") this.pending.delete(frame.ref);
  }

  closed(event) {
    this.socket = null;
    this.clearTimers();
    if (this.stopped) return;
    const goOn = this.options.onClose ? this.options.onClose(event) : true;
    if (goOn === false) {
      this.stopped = true;
      this.setState("stopped", { code: event.code });
      return;
    }
    const delayMs = backoffDelay(this.attempt, this.options.backoff);
    this.attempt = Math.min(this.attempt + 1, 10);
    this.setState("reconnecting", { delayMs, code: event.code });
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  startHeartbeat() {
    const beat = this.options.heartbeat;
    if (!beat) return;
    this.heartbeatTimer = setInterval(() => {
      if (!this.send(beat.frame()) || !beat.timeoutMs || this.silenceTimer !== null) return;
      // Any frame clears this timer (see connect); none at all means the connection is dead without
      // a close event (a laptop woke up, a proxy forgot it), so let it go and connect again.
      this.silenceTimer = setTimeout(() => {
        this.abandon(4000);
        this.closed({ code: 1006, reason: "no answer to the heartbeat" });
      }, beat.timeoutMs);
    }, beat.everyMs);
  }

  /* Let go of the current socket: its late events are ignored and it is closed if it can be. */
  abandon(code) {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(code);
      } catch (err) {
        /* closing a socket that never opened may throw; it is let go of either way */
      }
    }
  }

  clearTimers() {
    clearTimeout(this.timer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.silenceTimer);
    this.timer = null;
    this.heartbeatTimer = null;
    this.silenceTimer = null;
  }

  setState(state, info) {
    if (this.options.onState) this.options.onState(state, info);
  }
}
