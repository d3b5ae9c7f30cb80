import Hummingbird
import NIOCore

/// `GET /openapi.yaml` (the spec of what this service really serves, ``OpenAPIDocument``), the
/// event front door's contract (``EventContract``: `/events/asyncapi.yaml` and the schemas), and
/// `GET /swagger` (Swagger UI on that spec). The UI's script and style come from the unpkg CDN:
/// the browser loads them, the service stays free of bundled front-end files.
struct OpenAPIRoutes {
    func register(on router: Router<some RequestContext>) {
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        for (path, type, document) in [
            (EventContract.asyncAPIPath, "application/yaml; charset=utf-8", EventContract.asyncAPI),
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
    }

    static let swaggerPage = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>LPS follow-up plan API</title>
          <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
          <script>window.ui = SwaggerUIBundle({ url: "/openapi.yaml", dom_id: "#swagger-ui" });</script>
        </body>
        </html>
        """
}
