// The enumerator's phone: every visit (an outcome or an interview) is first written to this phone's local
// storage with its own submission id, then sent; a visit leaves the queue only when the server has confirmed it,
// so a dead network, a closed tab or a resend never loses or doubles a visit.
(function () {
  "use strict";
  var root = document.getElementById("field");
  if (!root) { return; }
  var KEY = "field-queue:" + root.getAttribute("data-user");
  var panel = document.getElementById("visit-panel");
  var current = null;  // {household, campaign, address, started}
  var sending = false;

  var KEEP_CONFIRMED_MS = 24 * 3600 * 1000;  // confirmed visits are shown for a day; unsent ones are kept forever

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function prune() {
    var cutoff = Date.now() - KEEP_CONFIRMED_MS;
    try { JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return; }  // never overwrite what we cannot read
    save(load().filter(function (item) {
      return item.status !== "confirmed" || Date.parse(item.visited_at) > cutoff;
    }));
  }
  function save(queue) { window.localStorage.setItem(KEY, JSON.stringify(queue)); }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function msg(name) { return root.getAttribute("data-msg-" + name); }

  function render() {
    var queue = load();
    var counts = { queued: 0, sent: 0, confirmed: 0, refused: 0 };
    var list = document.getElementById("queue-list");
    list.textContent = "";
    queue.forEach(function (item) {
      counts[item.status] = (counts[item.status] || 0) + 1;
      var li = document.createElement("li");
      li.className = "queued-visit status-" + item.status;
      li.setAttribute("data-submission", item.submission_id);
      li.textContent = item.address + " · " + item.outcome_label + " · " + msg(item.status) +
        (item.receipt_code ? " · " + item.receipt_code : "") + (item.error ? " · " + item.error : "");
      list.appendChild(li);
      var row = document.querySelector("li[data-household='" + item.household_id + "']");
      if (row && item.status !== "refused") { row.classList.add("visited-here"); }
    });
    Object.keys(counts).forEach(function (name) {
      var box = document.getElementById("count-" + name);
      if (box) { box.textContent = String(counts[name]); }
    });
  }

  function update(submissionId, changes) {
    var queue = load();
    queue.forEach(function (item) {
      if (item.submission_id === submissionId) { Object.keys(changes).forEach(function (k) { item[k] = changes[k]; }); }
    });
    save(queue);
    render();
  }

  function sendOne(item) {
    update(item.submission_id, { status: "sent" });
    var body = {
      submission_id: item.submission_id, household_id: item.household_id, outcome: item.outcome,
      visited_at: item.visited_at, answers: item.answers, duration_seconds: item.duration_seconds
    };
    return fetch(root.getAttribute("data-visit-url"), {
      method: "POST", credentials: "same-origin", redirect: "manual",  // a redirect means: sign in again
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": root.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.submission_id === item.submission_id) {
          update(item.submission_id, { status: "confirmed", receipt_code: data.receipt_code || "", error: "" });
        } else if (response.type === "opaqueredirect" || response.ok) {
          update(item.submission_id, { status: "queued", error: msg("signin") });  // kept until signed in again
        } else if (data.code === "request.csrf_failed" || data.code === "auth.required") {
          update(item.submission_id, { status: "queued", error: msg("signin") });  // the sign-in ended: kept
        } else if (response.status >= 500 || response.status === 429) {
          update(item.submission_id, { status: "queued", error: data.message || "" });  // try again later
        } else {
          update(item.submission_id, { status: "refused", error: data.message || String(response.status) });
        }
      });
    }, function () {
      update(item.submission_id, { status: "queued" });  // no network: it stays on the phone
    });
  }

  function flush() {
    if (sending) { return; }
    var waiting = load().filter(function (item) { return item.status === "queued" || item.status === "sent"; });
    if (!waiting.length) { return; }
    sending = true;
    waiting.reduce(function (chain, item) {
      return chain.then(function () { return sendOne(item); });
    }, Promise.resolve()).then(function () { sending = false; }, function () { sending = false; });
  }

  function enqueue(outcome, label, answers) {
    var queue = load();
    queue.push({
      submission_id: newId(), household_id: current.household, outcome: outcome, outcome_label: label,
      address: current.address, visited_at: new Date().toISOString(), answers: answers || null,
      duration_seconds: answers ? Math.round((Date.now() - current.started) / 1000) : null, status: "queued"
    });
    save(queue);
    closePanel();
    document.getElementById("field-status").textContent = msg("recorded");
    render();
    flush();
  }

  function answersOf(form) {
    var answers = {};
    var complete = true;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.question"), function (q) {
      var parts = q.getAttribute("data-question").split(".");
      var values = [];
      Array.prototype.forEach.call(q.querySelectorAll("input, textarea"), function (f) {
        if ((f.type === "radio" || f.type === "checkbox") ? f.checked : f.value.trim() !== "") { values.push(f.value); }
      });
      var multiple = q.querySelector("input[type=checkbox]") !== null;
      answers[parts[0]] = answers[parts[0]] || {};
      if (values.length) { answers[parts[0]][parts[1]] = multiple ? values : values[0]; }
      else if (q.getAttribute("data-required") === "true") { complete = false; }
    });
    return complete ? answers : null;
  }

  function openPanel(row) {
    current = {
      household: parseInt(row.getAttribute("data-household"), 10), campaign: row.getAttribute("data-campaign"),
      address: row.querySelector(".address").textContent, started: Date.now()
    };
    document.getElementById("visit-address").textContent = current.address;
    Array.prototype.forEach.call(document.querySelectorAll(".field-questionnaire"), function (f) {
      f.reset(); f.hidden = true;
    });
    document.getElementById("households").hidden = true;
    panel.hidden = false;
  }

  function closePanel() {
    panel.hidden = true;
    document.getElementById("households").hidden = false;
    current = null;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".open-household"), function (button) {
    button.addEventListener("click", function () { openPanel(button.closest("li")); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-outcome]"), function (button) {
    button.addEventListener("click", function () { enqueue(button.getAttribute("data-outcome"), button.textContent); });
  });
  document.getElementById("start-interview").addEventListener("click", function () {
    var form = document.querySelector(".field-questionnaire[data-campaign='" + current.campaign + "']");
    current.started = Date.now();
    form.hidden = false;
    form.scrollIntoView();
  });
  Array.prototype.forEach.call(document.querySelectorAll(".field-questionnaire"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = answersOf(form);
      var problem = form.querySelector(".field-error");
      if (!answers) { problem.textContent = problem.getAttribute("data-missing"); problem.hidden = false; return; }
      problem.hidden = true;
      enqueue("completed", document.getElementById("start-interview").textContent, answers);
    });
  });
  document.getElementById("close-visit").addEventListener("click", closePanel);
  document.getElementById("send-now").addEventListener("click", flush);
  window.addEventListener("online", flush);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-worker-url"), { scope: root.getAttribute("data-scope") })
      .catch(function () { /* without it the page still works while it stays open */ });
    var signOut = document.querySelector("form[action$='/logout']");
    if (signOut) {
      signOut.addEventListener("submit", function () {
        if (navigator.serviceWorker.controller) { navigator.serviceWorker.controller.postMessage("forget"); }
      });
    }
  }
  window.setInterval(flush, 10000);
  prune();
  render();
  flush();
}());
