// Draws every chart a page declares: an element with data-chart="ISLAND" gets the ECharts
// option kept in the JSON island <script id="ISLAND" type="application/json">. The server
// writes the option whole (titles and labels already translated), so one script serves
// every page that needs no behaviour beyond the chart itself.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var island = document.getElementById(element.getAttribute("data-chart"));
    if (!island) {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(island.textContent));
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
