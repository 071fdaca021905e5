// Draws the customer matrix, the Lorenz curve and the migration heat map from #matrix-data.
(function () {
  "use strict";
  var source = document.getElementById("matrix-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

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
        lineStyle: { type: "dashed", color: "#495057" }, data: guides
      } : undefined
    };
  });
  var matrix = draw("matrix-chart", {
    animation: false,
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 50 },
    tooltip: {
      formatter: function (item) {
        return item.data.name + "<br>" + item.seriesName + "<br>" +
          data.axis.loyalty + ": " + item.data.value[1].toFixed(1);
      }
    },
    xAxis: {
      type: "value", name: data.axis.share, nameLocation: "middle", nameGap: 30, scale: true,
      axisLabel: { formatter: function (value) { return "10^" + value; } }
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
  draw("lorenz-chart", {
    animation: false,
    grid: { left: 55, right: 15, top: 30, bottom: 45 },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", min: 0, max: 1, name: data.axis.population, nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", min: 0, max: 1, name: data.axis.volume, nameLocation: "middle", nameGap: 38 },
    series: [
      { name: data.axis.lorenz, type: "line", showSymbol: false, data: lorenz, areaStyle: { opacity: 0.15 } },
      { name: data.axis.equality, type: "line", showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: "dashed" } }
    ]
  });

  if (data.migration) {
    var names = data.migration.quadrants.map(function (quadrant) { return data.labels[quadrant]; });
    var largest = Math.max.apply(null, data.migration.cells.map(function (cell) { return cell[2]; }).concat([1]));
    draw("migration-chart", {
      animation: false,
      tooltip: {
        formatter: function (item) {
          return data.axis.from + " " + names[item.value[1]] + " → " + data.axis.to + " " +
            names[item.value[0]] + ": " + item.value[2];
        }
      },
      grid: { left: 100, right: 10, top: 10, bottom: 50 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, width: 80, overflow: "break" } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 90, overflow: "break" } },
      visualMap: { min: 0, max: largest, show: false, inRange: { color: ["#f8f9fa", "#0b3d91"] } },
      series: [{ type: "heatmap", data: data.migration.cells, label: { show: true } }]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
