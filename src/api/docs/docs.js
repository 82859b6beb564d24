// Renders /openapi.json with swagger-ui (served by us from npm's swagger-ui-dist; no CDN).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: false,
  persistAuthorization: true,
});
