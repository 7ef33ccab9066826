// swift-tools-version:6.1
// Comparison servers for scripts/bench-vs-grpc: VerifyToken over grpc-swift-2 (HTTP/2,
// swift-protobuf) and over plain HTTP/1.1 with JSON, both verifying with authrpc's own
// TokenVerification target, and a gRPC load client. A package of its own so that the
// service's build (scripts/run-dev, scripts/test) never pulls in gRPC. See README.md.
import Foundation
import PackageDescription

// The service's package, two folders up. A path dependency's identity is its folder's
// name (`main`, a worktree's name, a CI clone's), so it is read here rather than written.
let authrpcPath = "../.."
let authrpcIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .appendingPathComponent(authrpcPath).standardizedFileURL.lastPathComponent

let package = Package(
    name: "grpc-peer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-peer", targets: ["grpc-peer"]),
        .executable(name: "http-peer", targets: ["http-peer"]),
        .executable(name: "grpc-load", targets: ["grpc-load"]),
    ],
    dependencies: [
        .package(path: authrpcPath),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // protoc-gen-swift and protoc-gen-grpc-swift-2 output for Protos/verify.proto,
        // generated once and committed (README.md); never edited.
        .target(
            name: "VerifyProto",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]),
        // One event loop as a Swift TaskExecutor: the gRPC peer's and its load client's
        // tasks run on their event loop without a job per hop (EventLoopTaskExecutor.swift).
        .target(
            name: "LoopExecutor",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        // The verifier both peers use, configured from the same environment as authrpc.
        .target(
            name: "PeerVerification",
            dependencies: [.product(name: "TokenVerification", package: authrpcIdentity)]),
        .executableTarget(
            name: "grpc-peer",
            dependencies: [
                "VerifyProto", "PeerVerification", "LoopExecutor",
                .product(name: "TokenVerification", package: authrpcIdentity),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "http-peer",
            dependencies: [
                "PeerVerification",
                .product(name: "TokenVerification", package: authrpcIdentity),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "grpc-load",
            dependencies: [
                "VerifyProto", "LoopExecutor",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
    ]
)
