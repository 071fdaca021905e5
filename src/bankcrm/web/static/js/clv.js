// Draws the lifetime-value model's holdout check and CLV by quadrant from #clv-data.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("clv-data");
  if (!data) {
    return;
  }
  var text = data.text;
  var ACTUAL = charts.COLOURS.blue;
  var EXPECTED = charts.COLOURS.orange;

  var validation = data.validation;
  if (validation) {
    charts.draw("bucket-chart", {
      legend: {},
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category", data: validation.buckets, axisLabel: { interval: 0, rotate: 30 },
        name: text.bucket, nameLocation: "middle", nameGap: 52
      },
      yAxis: { type: "value", name: text.per_customer },
      series: [
        { name: text.actual, type: "bar", data: validation.bucket_actual, itemStyle: { color: ACTUAL } },
        { name: text.expected, type: "bar", data: validation.bucket_expected, itemStyle: { color: EXPECTED } }
      ]
    });

    var holdout = validation.holdout_unit === null ? undefined : {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: charts.COLOURS.rule },
      label: { formatter: text.holdout, position: "insideEndTop" },
      data: [{ xAxis: String(validation.holdout_unit) }]
    };
    charts.draw("tracking-chart", {
      legend: {},
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category", data: validation.units.map(String), boundaryGap: false,
        name: text.week, nameLocation: "middle", nameGap: 30
      },
      yAxis: { type: "value", name: text.cumulative },
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
    charts.draw("quadrant-chart", {
      tooltip: { trigger: "axis", valueFormatter: charts.format.yuan },
      grid: { right: 40 },
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
})();
