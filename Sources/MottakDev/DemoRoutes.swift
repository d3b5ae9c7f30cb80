import ApiSupport
import Domain
import Foundation
import Hummingbird
import LocalStandIns
import MottakApp
import NIOCore

/// `mottak-dev`'s demo form (`/demo`, `Resources/demo`): an integrator fills in a plan, submits
/// it with a token of the local Maskinporten and watches its status until it is final. Plain
/// HTML and a little JavaScript from the binary; no build step, no CDN. `/demo/token` gives the
/// page its token (the same as ``DevTokenRoute`` without the Basic credentials: the page is as
/// much a dev tool as the banner that prints them). `mottak serve` never has these routes.
public struct DemoRoutes: Sendable {
    let assets: StaticAssets
    let tokens: DevTokenRoute

    public init(assets: StaticAssets, tokens: DevTokenRoute) {
        self.assets = assets
        self.tokens = tokens
    }

    /// The demo form's files (`Sources/MottakDev/Resources/demo`, SwiftPM's copy beside the binary).
    public static func assets() throws -> StaticAssets {
        try StaticAssets.load(
            module: "MottakDev", marker: "demo/index.html",
            sourceTree: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources"))
    }

    public func register(on router: Router<ApiRequestContext>) {
        for (path, file) in [("/demo", "demo/index.html"), ("/demo/demo.js", "demo/demo.js"), ("/demo/demo.css", "demo/demo.css")] {
            guard let asset = assets[file] else { continue }
            router.get(RouterPath(path)) { _, _ in StaticAssets.response(asset, cache: "no-cache") }
        }
        router.get("/demo/token") { request, _ in try tokens.token(for: request) }
    }
}
