// Draws each chart from its JSON figure (no inline script: the Content-Security-Policy forbids them).
// Clicking a bar or point opens the board filtered to its rows (the URL is in customdata).
(function () {
  "use strict";
  var grid = document.querySelector("[data-board-url]");
  var board = grid ? grid.getAttribute("data-board-url") : null;
  // A leader's page also carries data-instruct-url: the click asks whether to open the board or to
  // write an instruction (批示) on the selection, named by the chart, the bar and its series.
  var instructUrl = grid && grid.getAttribute("data-instruct-url");
  var modal = document.getElementById("bar-modal");
  function offer(chart, point) {
    var card = chart.closest("[data-chart-title]");
    var category = point.data.orientation === "h" ? point.y : point.x;
    var label = [card && card.getAttribute("data-chart-title"), category, point.data.name].filter(Boolean).join(" · ");
    var query = point.customdata.split("?")[1] || "";
    modal.querySelector("[data-bar-label]").textContent = label;
    modal.querySelector("[data-bar-board]").href = point.customdata;
    modal.querySelector("[data-bar-instruct]").href =
      instructUrl + "?selection=" + encodeURIComponent(query) + "&label=" + encodeURIComponent(label);
    bootstrap.Modal.getOrCreateInstance(modal).show();
  }
  document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(function (chart) {
    var source = document.getElementById(chart.getAttribute("data-figure"));
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(chart, figure.data, figure.layout, figure.config).then(function () {
      chart.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (board && point && typeof point.customdata === "string" && point.customdata.indexOf(board) === 0) {
          if (instructUrl && modal) {
            offer(chart, point);
          } else {
            window.location.href = point.customdata;
          }
        }
      });
    });
  });
  // Printing (A4 briefing) changes the page width: let each chart fit the sheet, then the screen again.
  function resizeAll() {
    document.querySelectorAll(".plotly-graph-div").forEach(function (chart) { Plotly.Plots.resize(chart); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
