/* Draws the maps of the page (templates/components/map.html) with Leaflet, from static/js/map-base.js.
   Points are circles drawn in SVG: no tile or image is needed, so the map works offline. */
(function () {
  "use strict";
  function draw(element) {
    var points = JSON.parse(document.getElementById(element.dataset.points).textContent);
    var map = window.maillageMap(element);
    var layer = L.featureGroup();
    points.forEach(function (point) {
      var colour = point.network === "REP+" ? "#ce614a" : point.network === "REP" ? "#6e445a" : "#000091";
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 7, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.9
      });
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      marker.bindPopup(link);
      marker.bindTooltip(point.name + (point.network ? " (" + point.network + ")" : ""));
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 15);
    } else if (points.length > 1) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24] });
    }
    element.dataset.drawn = String(points.length);
  }
  document.querySelectorAll(".map[data-points]").forEach(draw);
})();
