// Draws the price simulation: the rate and RAROC of each grade, from #pricing-data.
(function () {
  "use strict";
  var source = document.getElementById("pricing-data");
  var element = document.getElementById("simulation-chart");
  if (!source || !element || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: function (value) { return value.toFixed(2) + " %"; } },
    grid: { left: 60, right: 60, top: 40, bottom: 40 },
    xAxis: { type: "category", data: data.grades, name: text.grade, nameLocation: "middle", nameGap: 28 },
    yAxis: [
      { type: "value", name: text.rate, axisLabel: { formatter: "{value} %" } },
      { type: "value", name: text.raroc, axisLabel: { formatter: "{value} %" } }
    ],
    series: [
      { name: text.rate, type: "line", data: data.rates, itemStyle: { color: "#0b3d91" } },
      {
        name: text.raroc, type: "bar", yAxisIndex: 1, data: data.raroc, itemStyle: { color: "#f0883e" },
        markLine: {
          silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#495057" },
          label: { formatter: text.hurdle }, data: [{ yAxis: data.hurdle }]
        }
      }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
