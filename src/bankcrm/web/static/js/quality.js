// Draws the satisfaction trends from #quality-data: the monthly CSAT share and the monthly
// NPS, each line with the number of answers behind every month in its tooltip.
(function () {
  "use strict";
  var source = document.getElementById("quality-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var charts = [];
  var BLUE = "#0b3d91";
  var GREEN = "#2e8b57";

  function draw(id, trend, name, color, axis) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    // The height comes from a data attribute: the page carries no style attributes.
    element.style.height = (element.getAttribute("data-chart-height") || "300") + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          var encode = echarts.format.encodeHTML;
          var value = trend.values[index];
          return encode(trend.months[index]) + "<br>" + encode(name) + ": " +
            (value === null ? "—" : value) + "<br>" + encode(text.answers) + ": " +
            trend.answers[index];
        }
      },
      grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: trend.months },
      yAxis: axis,
      series: [{
        name: name,
        type: "line",
        connectNulls: false,
        itemStyle: { color: color },
        data: trend.values
      }]
    });
    charts.push(chart);
  }

  draw("csat-chart", data.csat, text.csat, BLUE,
    { type: "value", min: 0, max: 100, name: text.csat, axisLabel: { formatter: "{value} %" } });
  draw("nps-chart", data.nps, text.nps, GREEN,
    { type: "value", min: -100, max: 100, name: text.nps });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
