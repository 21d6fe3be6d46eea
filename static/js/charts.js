// Draw each chart from the figure its div carries (data-figure, JSON), with the plotly.js the app
// serves; clicking a bar or point opens the board filtered to its rows (the URL is in customdata).
(function () {
  "use strict";
  var grid = document.querySelector("[data-board-url]");
  var board = grid ? grid.getAttribute("data-board-url") : null;
  document.querySelectorAll(".chart-figure[data-figure]").forEach(function (chart) {
    var figure = JSON.parse(chart.getAttribute("data-figure"));
    Plotly.newPlot(chart, figure.data, figure.layout, figure.config);
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (board && point && typeof point.customdata === "string" && point.customdata.indexOf(board) === 0) {
        window.location.href = point.customdata;
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Printing (A4 briefing) changes the page width: let each chart fit the sheet, then the screen again.
  function resizeAll() {
    document.querySelectorAll(".chart-figure").forEach(function (chart) { Plotly.Plots.resize(chart); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
