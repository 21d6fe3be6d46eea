// Draws each chart from its JSON figure (no inline script: the Content-Security-Policy forbids them).
// Clicking a bar or point opens the board filtered to its rows (the URL is in customdata).
(function () {
  "use strict";
  var grid = document.querySelector("[data-board-url]");
  var board = grid ? grid.getAttribute("data-board-url") : null;
  document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(function (chart) {
    var source = document.getElementById(chart.getAttribute("data-figure"));
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(chart, figure.data, figure.layout, figure.config).then(function () {
      chart.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (board && point && typeof point.customdata === "string" && point.customdata.indexOf(board) === 0) {
          window.location.href = point.customdata;
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
