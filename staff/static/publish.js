// The Publish page while a publication runs: the step and the bar, every second, then the
// page again (with the result) when it has ended. No inline script: the CSP allows only this file.
(function () {
  var box = document.getElementById("publishing");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        var progress = status.progress;
        if (progress.state !== "running") { window.location.reload(); return; }
        document.getElementById("step").textContent = progress.label;
        document.getElementById("bar").value = progress.percent;
        document.getElementById("percent").textContent = progress.percent + "%";
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 1000);
}());
