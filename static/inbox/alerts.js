/* A short sound and a desktop notification when a conversation is handed off (or offered again after
 * its pickup deadline). Two controls, each named by what it does:
 *
 *   "Mute sound" / "Unmute sound"                       the chime (kept per browser)
 *   "Turn on desktop notifications" / "Turn off ..."    asks the browser's permission on first use (a
 *                                                       click: browsers show the prompt only after one);
 *                                                       blocked in the browser, it says so and how to undo it
 *
 * A notification is shown only while the page is hidden (the agent sees the list change otherwise). */

import { interpolate, translationsFromPage } from "../shared/i18n.js";
import { reasonLabel } from "./labels.js";

const t = translationsFromPage();

const MUTE_KEY = "helpdesk-inbox-muted";
const NOTIFY_KEY = "helpdesk-inbox-notify";

const muted = () => localStorage.getItem(MUTE_KEY) === "1";
const supported = () => "Notification" in window;
const notifying = () => supported() && Notification.permission === "granted" && localStorage.getItem(NOTIFY_KEY) !== "0";

function chime() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch (err) {
    /* no audio here */
  }
}

function button(id, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.className = className;
  return b;
}

/* menu: where the controls go; conversationUrl(id): the page a notification opens. */
export function createAlerts({ menu, conversationUrl }) {
  const sound = button("sound-toggle", "secondary");
  const showSound = () => {
    sound.textContent = muted() ? t.gettext("Unmute sound") : t.gettext("Mute sound");
    sound.setAttribute("aria-pressed", String(muted()));
    sound.title = muted() ? t.gettext("New handoffs make no sound") : t.gettext("New handoffs play a short sound");
  };
  sound.addEventListener("click", () => {
    localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
    showSound();
  });
  showSound();

  const notify = button("notify-toggle", "secondary");
  const notifyState = document.createElement("span");
  notifyState.className = "notify-state";
  notifyState.id = "notify-state";
  notifyState.setAttribute("role", "status");
  const showNotify = () => {
    notify.hidden = !supported();
    notifyState.hidden = !supported();
    if (!supported()) return;
    const permission = Notification.permission;
    notify.disabled = permission === "denied";
    if (permission === "denied") {
      notify.textContent = t.gettext("Desktop notifications blocked");
      notify.title = t.gettext("Allow notifications for this site in the browser's site settings, then reload");
      notifyState.textContent = t.gettext("Notifications: blocked");
    } else if (notifying()) {
      notify.dataset.action = "off";
      notify.textContent = t.gettext("Turn off desktop notifications");
      notify.title = "";
      notifyState.textContent = t.gettext("Notifications: on");
    } else {
      notify.dataset.action = "on";
      notify.textContent = t.gettext("Turn on desktop notifications");
      notify.title = permission === "default" ? t.gettext("Your browser will ask whether this site may show notifications") : "";
      notifyState.textContent = t.gettext("Notifications: off");
    }
    notifyState.dataset.state = permission === "denied" ? "blocked" : notifying() ? "on" : "off";
  };
  // The click does what the button said, even if the permission changed behind the page's back.
  notify.addEventListener("click", async () => {
    if (!supported()) return;
    if (notify.dataset.action === "off") {
      localStorage.setItem(NOTIFY_KEY, "0");
    } else {
      localStorage.setItem(NOTIFY_KEY, "1");
      if (Notification.permission === "default") {
        try {
          await Notification.requestPermission();
        } catch (err) {
          /* an old browser's callback form: the state below says what happened */
        }
      }
    }
    showNotify();
  });
  showNotify();
  // The agent may allow or block notifications in the browser's own settings meanwhile.
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions
      .query({ name: "notifications" })
      .then((status) => status.addEventListener("change", showNotify))
      .catch(() => {});
  }
  window.addEventListener("focus", showNotify);

  if (menu) menu.append(sound, notify, notifyState);

  return {
    announce(conversation, again) {
      if (!muted()) chime();
      if (notifying() && document.visibilityState !== "visible") {
        const who = conversation.contact.name || conversation.contact.email || t.gettext("A customer");
        const note = new Notification(interpolate(again ? t.gettext("Still waiting: %(who)s") : t.gettext("New handoff: %(who)s"), { who }), {
          body: reasonLabel(conversation) || t.gettext("Waiting for an agent"),
          tag: "conv-" + conversation.id,
        });
        note.onclick = () => {
          window.focus();
          location.href = conversationUrl(conversation.id);
        };
      }
    },
  };
}
