// Draws the satisfaction trends from #quality-data: the monthly CSAT share and the monthly
// NPS, each line with the number of answers behind every month in its tooltip.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("quality-data");
  if (!data) {
    return;
  }
  var text = data.text;
  var encode = charts.format.encode;

  function draw(id, trend, name, color, axis) {
    charts.draw(id, {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          var value = trend.values[index];
          return encode(trend.months[index]) + "<br>" + encode(name) + ": " +
            (value === null ? "—" : value) + "<br>" + encode(text.answers) + ": " +
            trend.answers[index];
        }
      },
      xAxis: { type: "category", data: trend.months },
      yAxis: axis,
      series: [{ name: name, type: "line", connectNulls: false, itemStyle: { color: color }, data: trend.values }]
    });
  }

  draw("csat-chart", data.csat, text.csat, charts.COLOURS.blue,
    { type: "value", min: 0, max: 100, name: text.csat, axisLabel: { formatter: "{value} %" } });
  draw("nps-chart", data.nps, text.nps, charts.COLOURS.green,
    { type: "value", min: -100, max: 100, name: text.nps });
})();
