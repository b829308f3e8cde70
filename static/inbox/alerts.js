/* A short sound and a desktop notification when a conversation is handed off (or offered again after
 * its pickup deadline), unless the agent muted them with the Sound on/off button. */

const MUTE_KEY = "helpdesk-inbox-muted";

function muted() {
  return localStorage.getItem(MUTE_KEY) === "1";
}

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

/* nav: where the mute button goes; conversationUrl(id): the page a notification opens. */
export function createAlerts({ nav, conversationUrl }) {
  const muteButton = document.createElement("button");
  muteButton.type = "button";
  muteButton.className = "secondary";
  const showMute = () => {
    muteButton.textContent = muted() ? "Sound off" : "Sound on";
  };
  muteButton.addEventListener("click", () => {
    localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
    showMute();
    // Asked here, on a click, because browsers only show the permission prompt after a user gesture.
    if (!muted() && window.Notification && Notification.permission === "default") Notification.requestPermission();
  });
  showMute();
  if (nav) nav.insertBefore(muteButton, nav.firstChild);

  return {
    announce(conversation, again) {
      if (muted()) return;
      chime();
      if (window.Notification && Notification.permission === "granted" && document.visibilityState !== "visible") {
        const who = conversation.contact.name || conversation.contact.email || "A customer";
        const note = new Notification(again ? "Still waiting: " + who : "New handoff: " + who, {
          body: conversation.handoff_reason_label || "Waiting for an agent",
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
