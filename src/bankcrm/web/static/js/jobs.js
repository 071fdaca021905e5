// The Jobs page: follow the run that was just started. Poll its progress once a second
// until it has ended, updating the bar, the status and the outcome in place; without this
// script a reload shows the same.
(function () {
  "use strict";
  var panel = document.querySelector("[data-testid='run-progress']");
  if (!panel || panel.getAttribute("data-status") !== "running") {
    return;
  }
  var url = panel.getAttribute("data-progress-url");
  var badge = panel.querySelector("[data-testid='run-status']");
  var bar = panel.querySelector("[data-run-bar]");
  var barBox = panel.querySelector("[data-testid='run-progress-bar']");
  var summary = panel.querySelector("[data-run-summary]");
  var error = panel.querySelector("[data-run-error]");
  var seconds = panel.querySelector("[data-run-seconds]");
  var classes = { succeeded: "text-bg-success", failed: "text-bg-danger", running: "text-bg-primary" };

  function show(run) {
    panel.setAttribute("data-status", run.status);
    badge.setAttribute("data-status", run.status);
    badge.textContent = run.status_label;
    badge.className = "badge " + (classes[run.status] || "text-bg-secondary");
    var percent = run.percent === null ? (run.status === "running" ? 100 : 0) : run.percent;
    bar.style.width = percent + "%";
    bar.textContent = run.percent === null ? "" : run.percent + " %";
    barBox.setAttribute("aria-valuenow", String(percent));
    if (run.status !== "running") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      if (run.status === "failed") {
        bar.classList.add("bg-danger");
      }
    }
    summary.textContent = run.summary || "";
    error.textContent = run.error || "";
    if (run.seconds !== null) {
      seconds.textContent = run.seconds + " s";
    }
    showRow(run, percent);
    showLast(run);
  }

  // the same run's line in the table of latest runs
  function showRow(run, percent) {
    var row = document.querySelector("[data-testid='run-row'][data-run-id='" + run.id + "']");
    if (!row) {
      return;
    }
    var rowBadge = row.querySelector("[data-testid='run-row-status']");
    rowBadge.setAttribute("data-status", run.status);
    rowBadge.textContent = run.status_label;
    rowBadge.className = badge.className;
    row.querySelector("[data-run-percent]").textContent =
      run.status === "running" && run.percent !== null ? " " + percent + " %" : "";
    var outcome = row.querySelector("[data-run-outcome]");
    outcome.textContent = run.error || run.summary || "";
    outcome.classList.toggle("text-danger", Boolean(run.error));
    if (run.seconds !== null) {
      row.querySelector("[data-run-duration]").textContent = seconds.textContent;
    }
  }

  // and in the schedule, where it is its job's last run
  function showLast(run) {
    var cell = document.querySelector("[data-last-run='" + run.id + "']");
    if (!cell) {
      return;
    }
    var lastBadge = cell.querySelector("[data-testid='last-status']");
    lastBadge.setAttribute("data-status", run.status);
    lastBadge.textContent = run.status_label;
    lastBadge.className = badge.className;
    var outcome = cell.querySelector("[data-run-outcome]");
    outcome.textContent = run.error || run.summary || "";
    outcome.className = run.error ? "text-danger" : "text-secondary";
    var duration = document.querySelector("[data-last-duration='" + run.id + "']");
    if (duration && run.seconds !== null) {
      duration.textContent = seconds.textContent;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (run) {
        show(run);
        if (run.status === "running") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();
