// Draws the complaint case analysis from #complaints-data: monthly volume by issue, the
// root-cause Pareto, first replies in time by branch and cases by service-quality gap.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("complaints-data");
  if (!data) {
    return;
  }
  var text = data.text;
  var colours = charts.COLOURS;
  var percent = charts.format.percent;
  var encode = charts.format.encode;

  var volume = data.volume;
  charts.draw("volume-chart", {
    legend: {},
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: volume.months },
    yAxis: { type: "value", minInterval: 1, name: text.cases },
    series: volume.series.map(function (series) {
      return { name: series.name, type: "bar", stack: "cases", data: series.counts };
    })
  });

  var pareto = data.pareto;
  var rotate = pareto.labels.length > 4;
  charts.draw("pareto-chart", {
    legend: {},
    tooltip: { trigger: "axis" },
    // Rotated labels lean left: the first one needs room beyond the axis labels.
    grid: rotate ? { left: 48 } : {},
    xAxis: {
      type: "category", data: pareto.labels,
      axisLabel: { interval: 0, rotate: rotate ? 30 : 0, width: 120, overflow: "truncate" }
    },
    yAxis: [
      { type: "value", minInterval: 1, name: text.cases },
      { type: "value", min: 0, max: 100, name: text.cumulative, axisLabel: { formatter: "{value} %" } }
    ],
    series: [
      {
        name: text.cases,
        type: "bar",
        itemStyle: { color: colours.red },
        data: pareto.cases.map(function (value, index) {
          return { value: value, itemStyle: { color: pareto.vital[index] ? colours.red : colours.grey } };
        })
      },
      {
        name: text.cumulative,
        type: "line",
        yAxisIndex: 1,
        data: pareto.cumulative,
        itemStyle: { color: colours.blue },
        tooltip: { valueFormatter: percent },
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: colours.rule },
          label: { show: false },
          data: [{ yAxis: 80 }]
        }
      }
    ]
  });

  var timeliness = data.timeliness;
  charts.draw("timeliness-chart", {
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var index = items[0].dataIndex;
        return encode(timeliness.labels[index]) + "<br>" + encode(text.timely_rate) + ": " +
          percent(timeliness.rates[index]) + "<br>" + encode(text.replied) + ": " +
          timeliness.replied[index];
      }
    },
    grid: { right: 30 },
    xAxis: {
      type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" },
      name: text.timely, nameLocation: "middle", nameGap: 26
    },
    yAxis: { type: "category", data: timeliness.labels, inverse: true },
    series: [{ name: text.timely, type: "bar", data: timeliness.rates, itemStyle: { color: colours.blue } }]
  });

  var gaps = data.gaps;
  charts.draw("gap-chart", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: gaps.labels },
    yAxis: { type: "value", minInterval: 1, name: text.cases },
    series: [{
      name: text.cases,
      type: "bar",
      data: gaps.cases.map(function (value, index) {
        return { value: value, itemStyle: { color: index < gaps.cases.length - 1 ? colours.orange : colours.grey } };
      })
    }]
  });
})();
