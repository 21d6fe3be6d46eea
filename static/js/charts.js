// Clicking a bar or point opens the board filtered to its rows (the URL is in customdata).
(function () {
  "use strict";
  document.querySelectorAll(".plotly-graph-div").forEach(function (chart) {
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (point && typeof point.customdata === "string" && point.customdata.indexOf("/board/") === 0) {
        window.location.href = point.customdata;
      }
    });
  });
  // Printing (A4 briefing) changes the page width: let each chart fit the sheet, then the screen again.
  function resizeAll() {
    document.querySelectorAll(".plotly-graph-div").forEach(function (chart) { Plotly.Plots.resize(chart); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
