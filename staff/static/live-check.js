// The live check of a draft answer (staff/pages/topics.py, /topics/<intent>/check): while staff
// type, the draft is sent (with the session's CSRF token in the X-CSRF-Token header) and the
// problems `make check` would report are shown in the #checks region, which screen readers
// announce (aria-live). No inline script: the console's CSP allows only its own files.
(function () {
  "use strict";
  var area = document.querySelector("textarea[data-live-check]");
  var region = document.getElementById("checks");
  if (!area || !region || !region.dataset.checkUrl) { return; }
  var timer = null;
  var sent = 0;

  function show(title, problems, good) {
    region.textContent = "";
    var heading = document.createElement("p");
    heading.className = good ? "good" : "alert";
    heading.textContent = title;
    region.appendChild(heading);
    if (problems.length) {
      var list = document.createElement("ul");
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        item.textContent = problem;
        list.appendChild(item);
      });
      region.appendChild(list);
    }
  }

  function check() {
    var number = ++sent;
    fetch(region.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": region.dataset.csrfToken },
      body: JSON.stringify({ text: area.value })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (number !== sent) { return; }  // a newer draft is being checked
      if (!result.ok) {
        show(result.body.error || "The checks could not run. Save the form to check it.", [], false);
      } else if (result.body.problems.length) {
        var count = result.body.problems.length;
        show("The checks found " + count + " problem" + (count === 1 ? "" : "s") + ":", result.body.problems, false);
      } else {
        show("All checks pass.", [], true);
      }
    }).catch(function () {
      if (number === sent) { show("The checks could not run (is the console still running?).", [], false); }
    });
  }

  area.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 600);
  });
}());
