// Draws the complaint case analysis from #complaints-data: monthly volume by issue, the
// root-cause Pareto, first replies in time by branch and cases by service-quality gap.
(function () {
  "use strict";
  var source = document.getElementById("complaints-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var charts = [];
  var BLUE = "#0b3d91";
  var ORANGE = "#f0883e";
  var RED = "#c0392b";
  var GREY = "#adb5bd";
  var PALETTE = [
    "#0b3d91", "#f0883e", "#2e8b57", "#c0392b", "#6f42c1", "#20c997",
    "#d4a017", "#e83e8c", "#17a2b8", "#6c757d", "#8b4513", "#495057"
  ];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    // The height comes from a data attribute: the page carries no style attributes.
    element.style.height = (element.getAttribute("data-chart-height") || "320") + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : value + " %";
  }

  var volume = data.volume;
  draw("volume-chart", {
    animation: false,
    color: PALETTE,
    legend: { type: "scroll", top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: volume.months },
    yAxis: { type: "value", minInterval: 1, name: text.cases },
    series: volume.series.map(function (series) {
      return { name: series.name, type: "bar", stack: "cases", data: series.counts };
    })
  });

  var pareto = data.pareto;
  draw("pareto-chart", {
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    grid: { left: 10, right: 10, top: 40, bottom: 10, containLabel: true },
    xAxis: {
      type: "category", data: pareto.labels,
      axisLabel: { interval: 0, rotate: pareto.labels.length > 4 ? 30 : 0 }
    },
    yAxis: [
      { type: "value", minInterval: 1, name: text.cases },
      { type: "value", min: 0, max: 100, name: text.cumulative, axisLabel: { formatter: "{value} %" } }
    ],
    series: [
      {
        name: text.cases,
        type: "bar",
        itemStyle: { color: RED },
        data: pareto.cases.map(function (value, index) {
          return { value: value, itemStyle: { color: pareto.vital[index] ? RED : GREY } };
        })
      },
      {
        name: text.cumulative,
        type: "line",
        yAxisIndex: 1,
        data: pareto.cumulative,
        itemStyle: { color: BLUE },
        tooltip: { valueFormatter: percent },
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: "#495057" },
          label: { show: false },
          data: [{ yAxis: 80 }]
        }
      }
    ]
  });

  var timeliness = data.timeliness;
  draw("timeliness-chart", {
    animation: false,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var index = items[0].dataIndex;
        var encode = echarts.format.encodeHTML;
        return encode(timeliness.labels[index]) + "<br>" + encode(text.timely_rate) + ": " +
          percent(timeliness.rates[index]) + "<br>" + encode(text.replied) + ": " +
          timeliness.replied[index];
      }
    },
    grid: { left: 10, right: 30, top: 10, bottom: 30, containLabel: true },
    xAxis: {
      type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" },
      name: text.timely, nameLocation: "middle", nameGap: 26
    },
    yAxis: { type: "category", data: timeliness.labels, inverse: true },
    series: [{ name: text.timely, type: "bar", data: timeliness.rates, itemStyle: { color: BLUE } }]
  });

  var gaps = data.gaps;
  draw("gap-chart", {
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: gaps.labels },
    yAxis: { type: "value", minInterval: 1, name: text.cases },
    series: [{
      name: text.cases,
      type: "bar",
      data: gaps.cases.map(function (value, index) {
        return { value: value, itemStyle: { color: index < gaps.cases.length - 1 ? ORANGE : GREY } };
      })
    }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
