// swift-tools-version:6.2
// The token hot path's own codecs against the alternatives (docs/BENCHMARKS.md, "Codecs"):
// our base64url decoder against swift-extras-base64, and the token claims reader against
// Foundation's JSONDecoder. A package of its own so the service never depends on them;
// the sources measured are symlinks to Sources/TokenVerification. Run by
// scripts/bench-codecs.
import PackageDescription

let package = Package(
    name: "codec-alternatives",
    dependencies: [.package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0")],
    targets: [
        .executableTarget(name: "Bench", dependencies: [.product(name: "ExtrasBase64", package: "swift-extras-base64")]),
    ]
)
