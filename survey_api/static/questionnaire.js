// Progress, a draft kept on the phone, and a submit that survives a flaky network.
// The page works without this file; the server generated the submission id, so every resend is harmless.
(function () {
  "use strict";
  var DRAFT_PREFIX = "survey-draft:";
  var DEVICE_KEY = "survey-device";

  function storage() {
    try { var s = window.localStorage; s.setItem("_t", "1"); s.removeItem("_t"); return s; } catch (e) { return null; }
  }

  var receipt = document.querySelector("[data-clear-draft]");
  if (receipt) {
    var st = storage();
    if (st) { st.removeItem(DRAFT_PREFIX + receipt.getAttribute("data-clear-draft")); }
    return;
  }

  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var store = storage();
  var key = DRAFT_PREFIX + form.getAttribute("data-token");
  // The identity field (a phone number, say) is left out of progress and is never written to the draft.
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question:not(.identity)"));
  var statusBox = document.getElementById("submit-status");
  var button = form.querySelector("button[type=submit]");

  function fieldsOf(q) { return Array.prototype.slice.call(q.querySelectorAll("input, textarea")); }

  function isAnswered(q) {
    return fieldsOf(q).some(function (f) {
      return (f.type === "radio" || f.type === "checkbox") ? f.checked : f.value.trim() !== "";
    });
  }

  function updateProgress() {
    var done = questions.filter(isAnswered).length;
    var bar = document.getElementById("progress-bar");
    bar.style.width = Math.round(100 * done / Math.max(questions.length, 1)) + "%";
    document.getElementById("progress-text").textContent = form.getAttribute("data-msg-progress")
      .replace("{done}", String(done)).replace("{total}", String(questions.length));
  }

  function limitChoices(group) {
    var max = parseInt(group.getAttribute("data-max"), 10);
    if (!max) { return; }
    var boxes = Array.prototype.slice.call(group.querySelectorAll("input[type=checkbox]"));
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { b.disabled = !b.checked && checked >= max; });
  }

  function saveDraft() {
    if (!store) { return; }
    var draft = { submission_id: form.elements.submission_id.value, started: form.elements.started.value, fields: {} };
    questions.forEach(function (q) {
      fieldsOf(q).forEach(function (f) {
        if ((f.type === "radio" || f.type === "checkbox") && !f.checked) { return; }
        if (f.type !== "radio" && f.type !== "checkbox" && f.value === "") { return; }
        (draft.fields[f.name] = draft.fields[f.name] || []).push(f.value);
      });
    });
    store.setItem(key, JSON.stringify(draft));
  }

  function restoreDraft() {
    if (!store || form.querySelector(".has-error")) { return; }  // a server-side re-render already holds the answers
    var draft;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft) { return; }
    // Keep the first page's submission id: if an earlier send reached us, resending it stores nothing twice.
    form.elements.submission_id.value = draft.submission_id;
    form.elements.started.value = draft.started;
    questions.forEach(function (q) {
      fieldsOf(q).forEach(function (f) {
        var saved = draft.fields[f.name] || [];
        if (f.type === "radio" || f.type === "checkbox") { f.checked = saved.indexOf(f.value) >= 0; }
        else if (saved.length) { f.value = saved[0]; }
      });
    });
  }

  function say(text) { statusBox.textContent = text; }

  function send(attempt) {
    var body = new URLSearchParams(new FormData(form));
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (res) {
        if (res.ok && res.redirected) { window.location.assign(res.url); return; }
        // Rate-limited, or the service restarting (503 from the app or the proxy): wait as told and resend.
        if (res.status === 429 || res.status === 503) { return waitAndResend(res, attempt); }
        form.submit();  // a validation or conflict page: let the server render it
      })
      .catch(function () {
        if (attempt >= 4) {
          say(form.getAttribute("data-msg-offline"));
          button.disabled = false;
          return;
        }
        say(form.getAttribute("data-msg-retrying"));
        return new Promise(function (r) { setTimeout(r, 1000 * Math.pow(2, attempt)); }).then(function () {
          return send(attempt + 1);
        });
      });
  }

  // Too many submissions right now (rate limit): stay on the page with every answer, wait as the server asks and
  // send again with the same submission id; a long wait hands the button back instead.
  var LONGEST_AUTOMATIC_WAIT = 120;
  function waitAndResend(res, attempt) {
    var seconds = parseInt(res.headers.get("Retry-After"), 10) || 30;
    if (seconds > LONGEST_AUTOMATIC_WAIT || attempt >= 4) {
      say(form.getAttribute("data-msg-busy-later"));
      button.disabled = false;
      return;
    }
    say(form.getAttribute("data-msg-busy").replace("{seconds}", String(seconds)));
    return new Promise(function (r) { setTimeout(r, 1000 * seconds); }).then(function () {
      return send(attempt + 1);
    });
  }

  // One answer per phone: the signed device id lives in a cookie and is mirrored here, so clearing cookies alone
  // does not make this phone a new respondent. The id that was here first wins; the server renews the cookie.
  function mirrorDevice() {
    var field = form.querySelector("[data-device-key]");
    if (!field || !store) { return; }
    var kept = store.getItem(DEVICE_KEY);
    if (kept) { field.value = kept; } else { store.setItem(DEVICE_KEY, field.value); }
  }

  mirrorDevice();
  restoreDraft();
  document.querySelector(".progress").hidden = false;
  Array.prototype.forEach.call(form.querySelectorAll(".choices[data-max]"), limitChoices);
  updateProgress();

  form.addEventListener("change", function (event) {
    var group = event.target.closest(".choices[data-max]");
    if (group) { limitChoices(group); }
    updateProgress();
    saveDraft();
  });
  form.addEventListener("input", function () { saveDraft(); });
  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.URLSearchParams) { return; }
    event.preventDefault();
    if (!form.reportValidity()) { return; }
    button.disabled = true;
    say(form.getAttribute("data-msg-sending"));
    saveDraft();
    send(0);
  });
})();
