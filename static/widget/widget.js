/* The chat widget's loader. Customers embed it on their own sites with:
 *   <script src="https://YOUR-HELPDESK/static/widget/widget.js" data-bot-key="pk_..." async></script>
 * Options (data- attributes): data-bot-key (required), data-open="true" to start open, data-title, and for
 * a logged-in user of the site data-user-id with data-user-hash (hex HMAC-SHA256 of the id under the bot's
 * identity secret, computed on the site's server), optionally data-user-email and data-user-name;
 * data-lang ("es", ...) sets the language of the widget's own words (by default the browser's, when the
 * helpdesk speaks it, else the bot's).
 *
 * It stays a classic script, so the one line above keeps working as it is: only a classic script can
 * find its own tag (document.currentScript) to read those attributes. It imports the widget module
 * (chat.js, which imports ../shared/socket.js) from beside itself. Modules are fetched in CORS mode, so
 * on a customer's site those files need Access-Control-Allow-Origin, which WhiteNoise sends with every
 * static file (WHITENOISE_ALLOW_ALL_ORIGINS in config/settings.py). */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-bot-key]");
  if (!script || !script.dataset.botKey) return;
  var options = {
    botKey: script.dataset.botKey,
    apiOrigin: new URL(script.src, location.href).origin,
    startOpen: script.dataset.open === "true",
    title: script.dataset.title || "",
    lang: script.dataset.lang || "",
    user: script.dataset.userId
      ? {
          user_id: script.dataset.userId,
          user_hash: script.dataset.userHash || "",
          user_email: script.dataset.userEmail || "",
          user_name: script.dataset.userName || "",
        }
      : null,
  };
  var moduleUrl = new URL("chat.js", script.src).href;

  function mount() {
    import(moduleUrl)
      .then(function (widget) {
        return widget.mountWidget(options);
      })
      .catch(function (err) {
        console.error("The chat widget could not load from " + moduleUrl, err);
      });
  }

  // A tag in the <head> without async runs before there is a body to put the widget in.
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
