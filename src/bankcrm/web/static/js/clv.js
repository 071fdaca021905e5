// Draws the lifetime-value model's holdout check and CLV by quadrant from #clv-data.
(function () {
  "use strict";
  var source = document.getElementById("clv-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var charts = [];
  var ACTUAL = "#0b3d91";
  var EXPECTED = "#f0883e";

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  var validation = data.validation;
  if (validation) {
    draw("bucket-chart", {
      animation: false,
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      xAxis: {
        type: "category", data: validation.buckets, axisLabel: { interval: 0, rotate: 30 },
        name: text.bucket, nameLocation: "middle", nameGap: 42
      },
      yAxis: { type: "value", name: text.per_customer, nameLocation: "middle", nameGap: 42 },
      series: [
        { name: text.actual, type: "bar", data: validation.bucket_actual, itemStyle: { color: ACTUAL } },
        { name: text.expected, type: "bar", data: validation.bucket_expected, itemStyle: { color: EXPECTED } }
      ]
    });

    var holdout = validation.holdout_unit === null ? undefined : {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: "#495057" },
      label: { formatter: text.holdout, position: "insideEndTop" },
      data: [{ xAxis: String(validation.holdout_unit) }]
    };
    draw("tracking-chart", {
      animation: false,
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 70, right: 20, top: 40, bottom: 50 },
      xAxis: {
        type: "category", data: validation.units.map(String), boundaryGap: false,
        name: text.week, nameLocation: "middle", nameGap: 30
      },
      yAxis: { type: "value", name: text.cumulative, nameLocation: "middle", nameGap: 55 },
      series: [
        {
          name: text.actual, type: "line", showSymbol: false, data: validation.tracking_actual,
          itemStyle: { color: ACTUAL }, markLine: holdout
        },
        {
          name: text.expected, type: "line", showSymbol: false, data: validation.tracking_expected,
          itemStyle: { color: EXPECTED }, lineStyle: { type: "dashed" }
        }
      ]
    });
  }

  var quadrants = data.quadrants;
  if (quadrants) {
    draw("quadrant-chart", {
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) { return "¥" + Math.round(value).toLocaleString(); }
      },
      grid: { left: 10, right: 40, top: 10, bottom: 50, containLabel: true },
      xAxis: { type: "value", splitNumber: 4, name: text.mean_clv, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: quadrants.labels, inverse: true },
      series: [{
        name: text.mean_clv,
        type: "bar",
        data: quadrants.mean_clv.map(function (value, index) {
          return { value: value, itemStyle: { color: quadrants.colours[index] } };
        })
      }]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
