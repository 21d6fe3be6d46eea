// The API docs page: Swagger UI (from drf-spectacular-sidecar, served by the app) on the
// OpenAPI document named in data-schema-url. "Try it out" runs as the signed-in user: the
// session cookie goes along, and unsafe methods carry the page's CSRF token as Django asks.
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root) {
    return;
  }
  var csrfToken = root.getAttribute("data-csrf-token");
  var safe = ["GET", "HEAD", "OPTIONS"];
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      if (safe.indexOf((request.method || "GET").toUpperCase()) === -1) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
