// Draws the customer's monthly inflow and outflow from the data attributes of #flow-chart.
(function () {
  "use strict";
  var element = document.getElementById("flow-chart");
  if (!element || typeof echarts === "undefined") {
    return;
  }
  var flows = JSON.parse(element.dataset.flows || "{}");
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [element.dataset.inflowLabel, element.dataset.outflowLabel] },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: flows.months || [] },
    yAxis: { type: "value" },
    series: [
      { name: element.dataset.inflowLabel, type: "bar", data: flows.inflow || [], itemStyle: { color: "#198754" } },
      { name: element.dataset.outflowLabel, type: "bar", data: flows.outflow || [], itemStyle: { color: "#dc3545" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

// Draws the seven loyalty factors of the customer's segment from #radar-chart.
(function () {
  "use strict";
  var element = document.getElementById("radar-chart");
  if (!element || typeof echarts === "undefined") {
    return;
  }
  var radar = JSON.parse(element.dataset.radar || "null");
  if (!radar) {
    return;
  }
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: {},
    radar: {
      radius: "62%",
      indicator: radar.factors.map(function (name) { return { name: name, max: 100 }; })
    },
    series: [{
      type: "radar",
      data: [{ value: radar.scores, name: element.dataset.label, areaStyle: { opacity: 0.2 } }]
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
