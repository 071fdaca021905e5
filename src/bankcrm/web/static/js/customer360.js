// Draws the customer's monthly inflow and outflow from the data attributes of #flow-chart,
// and the seven loyalty factors of the customer's segment from #radar-chart.
(function () {
  "use strict";
  var charts = window.BankCharts;
  if (!charts) {
    return;
  }
  var flow = document.getElementById("flow-chart");
  if (flow) {
    var flows = JSON.parse(flow.dataset.flows || "{}");
    charts.draw(flow, {
      tooltip: { trigger: "axis" },
      legend: {},
      xAxis: { type: "category", data: flows.months || [] },
      yAxis: { type: "value" },
      series: [
        { name: flow.dataset.inflowLabel, type: "bar", data: flows.inflow || [], itemStyle: { color: charts.COLOURS.inflow } },
        { name: flow.dataset.outflowLabel, type: "bar", data: flows.outflow || [], itemStyle: { color: charts.COLOURS.outflow } }
      ]
    });
  }

  var element = document.getElementById("radar-chart");
  var radar = element && JSON.parse(element.dataset.radar || "null");
  if (radar) {
    charts.draw(element, {
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
  }
})();
