// Draws the price simulation: the rate and RAROC of each grade, from #pricing-data.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("pricing-data");
  if (!data) {
    return;
  }
  var text = data.text;
  charts.draw("simulation-chart", {
    legend: {},
    tooltip: { trigger: "axis", valueFormatter: function (value) { return value.toFixed(2) + " %"; } },
    xAxis: { type: "category", data: data.grades, name: text.grade, nameLocation: "middle", nameGap: 28 },
    yAxis: [
      { type: "value", name: text.rate, axisLabel: { formatter: "{value} %" } },
      { type: "value", name: text.raroc, axisLabel: { formatter: "{value} %" } }
    ],
    series: [
      { name: text.rate, type: "line", data: data.rates, itemStyle: { color: charts.COLOURS.blue } },
      {
        name: text.raroc, type: "bar", yAxisIndex: 1, data: data.raroc, itemStyle: { color: charts.COLOURS.orange },
        markLine: {
          silent: true, symbol: "none", lineStyle: { type: "dashed", color: charts.COLOURS.rule },
          label: { formatter: text.hurdle }, data: [{ yAxis: data.hurdle }]
        }
      }
    ]
  });
})();
