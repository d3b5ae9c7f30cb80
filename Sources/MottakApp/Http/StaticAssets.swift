import Foundation
import Hummingbird
import NIOCore

/// Files the service serves as they are, from `Sources/MottakApp/Resources`: the OpenAPI
/// document (`openapi.yaml`) and Swagger UI's release files (`swagger-ui/`, see its NOTICE.md);
/// `mottak-dev`'s demo form has its own (`Sources/MottakDev/Resources`). Read once, at start; a
/// process without them does not start (a missing document is a packaging fault, not something
/// to serve around).
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
    }

    /// By path below `Resources`, e.g. `swagger-ui/swagger-ui.css`.
    public let files: [String: Asset]

    /// The Swagger UI release served at `/swagger` (NOTICE.md says where it comes from).
    public static let swaggerUIVersion = "5.31.0"

    public subscript(path: String) -> Asset? { files[path] }

    /// The process's files, read once (about 1.7 MB). A failed read is tried again, so its error
    /// reaches the caller.
    public static func bundled() throws -> StaticAssets {
        if let cached { return cached }
        return try load()
    }

    private static let cached: StaticAssets? = try? load()

    /// The files of the first `Resources` folder found: `MOTTAK_RESOURCES_DIR`; SwiftPM's copy
    /// beside the executable (`oppfolgingsplan-mottak_MottakApp.resources/Resources`, which the
    /// image copies there too); the source tree (a build on this machine, tests).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StaticAssets {
        try load(
            module: "MottakApp", marker: "openapi.yaml", override: environment["MOTTAK_RESOURCES_DIR"],
            sourceTree: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources"))
    }

    /// The files of a module's `Resources` folder, the first of `override`, SwiftPM's copy beside
    /// the executable (`oppfolgingsplan-mottak_<module>.resources/Resources`) and `sourceTree`
    /// that holds `marker`.
    public static func load(module: String, marker: String, override: String? = nil, sourceTree: URL) throws -> StaticAssets {
        let executable = Bundle.main.executableURL?.deletingLastPathComponent()
        let candidates = [
            override.map { URL(fileURLWithPath: $0) },
            executable?.appendingPathComponent("oppfolgingsplan-mottak_\(module).resources/Resources"),
            sourceTree,
        ].compactMap { $0 }
        guard let directory = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) })
        else {
            throw ConfigurationError(
                variable: "MOTTAK_RESOURCES_DIR",
                problem: "names no folder with \(marker), and none is beside the executable (looked in \(candidates.map(\.path)))")
        }
        return try StaticAssets(directory: directory)
    }

    /// The response that serves `asset` as it is, with `cache` as its Cache-Control.
    public static func response(_ asset: Asset, cache: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: cache],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    init(directory: URL) throws {
        var files: [String: Asset] = [:]
        let root = directory.standardizedFileURL.path
        let walker = FileManager.default.enumerator(atPath: root)
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            files[relative] = Asset(bytes: bytes, contentType: Self.contentType(of: relative))
        }
        self.files = files
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "yaml", "yml": "application/yaml; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "html": "text/html; charset=utf-8"
        case "json": "application/json"
        case "png": "image/png"
        case "md": "text/markdown; charset=utf-8"
        default: "text/plain; charset=utf-8"
        }
    }
}
