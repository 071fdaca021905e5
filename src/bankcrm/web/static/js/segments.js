// Draws the customer matrix, the Lorenz curve and the migration heat map from #matrix-data.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("matrix-data");
  if (!data) {
    return;
  }
  var encode = charts.format.encode;

  var quadrants = Object.keys(data.labels);
  var guides = [];
  if (data.share_cut !== null) {
    guides.push({ xAxis: data.share_cut });
  }
  if (data.loyalty_cut !== null) {
    guides.push({ yAxis: data.loyalty_cut });
  }
  var series = quadrants.map(function (quadrant, index) {
    return {
      name: data.labels[quadrant],
      type: "scatter",
      symbolSize: 6,
      itemStyle: { color: data.colours[quadrant], opacity: 0.75 },
      data: data.points
        .filter(function (point) { return point.quadrant === quadrant; })
        .map(function (point) { return { value: [point.x, point.y], id: point.id, name: point.name }; }),
      markLine: index === 0 && guides.length ? {
        silent: true, symbol: "none", label: { show: false },
        lineStyle: { type: "dashed", color: charts.COLOURS.rule }, data: guides
      } : undefined
    };
  });
  // The share of business is drawn on a log10 scale; its labels read as per cent.
  var matrix = charts.draw("matrix-chart", {
    legend: {},
    tooltip: {
      formatter: function (item) {
        return encode(item.data.name) + "<br>" + encode(item.seriesName) + "<br>" +
          encode(data.axis.share) + ": " + charts.format.logShare(item.data.value[0]) + "<br>" +
          encode(data.axis.loyalty) + ": " + item.data.value[1].toFixed(1);
      }
    },
    xAxis: {
      type: "value", name: data.axis.share, nameLocation: "middle", nameGap: 30, scale: true,
      minInterval: 1, axisLabel: { formatter: charts.format.logShare }
    },
    yAxis: { type: "value", name: data.axis.loyalty, min: 0, max: 100 },
    series: series
  });
  if (matrix) {
    matrix.on("click", function (item) {
      if (item.data && item.data.id) {
        window.location.href = "/customers/" + item.data.id;
      }
    });
  }

  var lorenz = data.lorenz.population.map(function (share, index) {
    return [share, data.lorenz.volume[index]];
  });
  charts.draw("lorenz-chart", {
    legend: {},
    tooltip: { trigger: "axis" },
    xAxis: {
      type: "value", min: 0, max: 1, name: data.axis.population, nameLocation: "middle", nameGap: 28,
      axisLabel: { formatter: charts.format.share }
    },
    yAxis: { type: "value", min: 0, max: 1, name: data.axis.volume, axisLabel: { formatter: charts.format.share } },
    series: [
      { name: data.axis.lorenz, type: "line", showSymbol: false, data: lorenz, areaStyle: { opacity: 0.15 } },
      { name: data.axis.equality, type: "line", showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: "dashed" } }
    ]
  });

  if (data.migration) {
    var names = data.migration.quadrants.map(function (quadrant) { return data.labels[quadrant]; });
    var largest = Math.max.apply(null, data.migration.cells.map(function (cell) { return cell[2]; }).concat([1]));
    charts.draw("migration-chart", {
      tooltip: {
        formatter: function (item) {
          return encode(data.axis.from + " " + names[item.value[1]] + " → " + data.axis.to + " " +
            names[item.value[0]] + ": " + item.value[2]);
        }
      },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, width: 80, overflow: "break" } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 90, overflow: "break" } },
      visualMap: { min: 0, max: largest, show: false, inRange: { color: ["#f8f9fa", charts.COLOURS.blue] } },
      series: [{ type: "heatmap", data: data.migration.cells, label: { show: true } }]
    });
  }
})();
