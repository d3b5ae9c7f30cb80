import Domain
import Hummingbird
import NIOCore

/// `GET /openapi.yaml` (the spec of what this service really serves LPS systems,
/// `Resources/openapi.yaml`, served as it is), `GET /openapi-modia.yaml` (the case workers'
/// routes for NAV's developers, a document of its own so that integrators never see them), the
/// event front door's contract (``EventContract``: `/events/asyncapi.yaml` and the schemas), and
/// `GET /swagger`: Swagger UI on the LPS spec, its files served by the service itself
/// (`/swagger/<version>/…`), so that it works without the internet.
struct OpenAPIRoutes {
    let assets: StaticAssets
    /// The topics' names in this deployment, for the AsyncAPI document.
    let topics: EventTopics

    func register(on router: Router<some RequestContext>) {
        for name in ["openapi.yaml", "openapi-modia.yaml"] {
            guard let spec = assets[name] else { continue }
            router.get(RouterPath("/" + name)) { _, _ in StaticAssets.response(spec, cache: "no-cache") }
        }
        for (path, type, document) in [
            (EventContract.asyncAPIPath, "application/yaml; charset=utf-8", EventContract.asyncAPI(topics)),
            (EventContract.submittedSchemaPath, "application/schema+json", EventContract.submittedSchema),
            (EventContract.statusSchemaPath, "application/schema+json", EventContract.statusSchema),
        ] {
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
            }
        }
        router.get("/swagger") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Self.swaggerPage)))
        }
        // Versioned paths: a browser may keep them for good.
        for file in ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE.md"] {
            guard let asset = assets["swagger-ui/\(file)"] else { continue }
            router.get(RouterPath("/swagger/\(StaticAssets.swaggerUIVersion)/\(file)")) { _, _ in
                StaticAssets.response(asset, cache: "public, max-age=31536000, immutable")
            }
        }
    }

    static let swaggerPage = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>LPS follow-up plan API</title>
          <link rel="stylesheet" href="/swagger/\(StaticAssets.swaggerUIVersion)/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/swagger/\(StaticAssets.swaggerUIVersion)/swagger-ui-bundle.js"></script>
          <script>
            window.ui = SwaggerUIBundle({ url: "/openapi.yaml", dom_id: "#swagger-ui", tryItOutEnabled: false, persistAuthorization: true });
          </script>
        </body>
        </html>
        """
}
