import Foundation
import NIOCore
import NIOEmbedded
import Wire

/// `authrpc-allocs`: allocations per operation on the in-process hot paths, compared with
/// the committed counts (`expected-mallocs.txt`); exits 1 when any path allocates more.
/// Counts are exact whatever else the machine runs, so they guard what timings cannot
/// on a shared host (docs/BENCHMARKS.md). Run through `scripts/bench-allocs`, which
/// preloads the counter.
///
///     authrpc-allocs --expected FILE [--update] [--iterations N]
@main
struct AllocationCounts {
    static func main() async {
        do {
            exit(try await run(Array(CommandLine.arguments.dropFirst())))
        } catch {
            print("error: \(error)")
            exit(2)
        }
    }

    static func run(_ arguments: [String]) async throws -> Int32 {
        var expectedPath: String?
        var update = false
        var iterations = 2000
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--expected": expectedPath = rest.popFirst()
            case "--update": update = true
            case "--iterations": iterations = rest.popFirst().flatMap(Int.init) ?? iterations
            default: throw SetupError("unknown argument \(argument)")
            }
        }
        guard let expectedPath else { throw SetupError("--expected FILE is required") }
        guard MallocCounter.isAvailable else {
            throw SetupError("no allocation counter: run through scripts/bench-allocs (it preloads scripts/bench/malloc-count.c)")
        }

        let paths = try await HotPaths.start(uniqueTokens: 64)
        let measured = try measure(paths, iterations: iterations)
        await paths.finish()

        if update {
            try ExpectedCounts.write(measured, to: expectedPath)
            print("wrote \(expectedPath)")
            return 0
        }
        let expected = try ExpectedCounts(path: expectedPath)
        var failed = false
        print("path".padding(toLength: 36, withPad: " ", startingAt: 0) + "mallocs/op  expected")
        for row in measured {
            let limit = expected.counts[row.name]
            let verdict: String
            switch limit {
            case nil: verdict = "NEW (no committed count: --update)"; failed = true
            case let limit? where row.perOp > limit + 0.005: verdict = "REGRESSION"; failed = true
            case let limit? where row.perOp < limit - 0.005: verdict = "improved (--update to commit)"
            default: verdict = "ok"
            }
            print(row.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + Measurement.format(row.perOp).padding(toLength: 12, withPad: " ", startingAt: 0)
                + (limit.map(Measurement.format) ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0) + verdict)
        }
        print(failed ? "FAIL: a path allocates more than its committed count" : "PASS")
        return failed ? 1 : 0
    }

    static func measure(_ paths: HotPaths, iterations: Int) throws -> [(name: String, perOp: Double)] {
        let loop = EmbeddedEventLoop()
        var out = ByteBufferAllocator().buffer(capacity: 64 << 10)
        var rows: [(name: String, perOp: Double)] = []

        // (a) A repeat token, frame to answer bytes, and its three stages apart.
        rows.append(("verify_token_cached", try Measurement.mallocsPerOperation(iterations: iterations) {
            try HotPaths.frameToAnswer(paths.repeatedFrame, paths.cached, on: loop, into: &out)
            out.clear()
        }))
        rows.append(("verify_token_cached.decode", try Measurement.mallocsPerOperation(iterations: iterations) {
            _ = try Request.decode(paths.repeatedFrame)
        }))
        let request = try Request.decode(paths.repeatedFrame)
        rows.append(("verify_token_cached.dispatch", Measurement.mallocsPerOperation(iterations: iterations) {
            _ = paths.cached.dispatch(request, on: loop)
        }))
        guard case .now(let response) = paths.cached.dispatch(request, on: loop) else { throw SetupError("not immediate") }
        rows.append(("verify_token_cached.encode", try Measurement.mallocsPerOperation(iterations: iterations) {
            try response.writeFrame(into: &out)
            out.clear()
        }))

        // (b) A new token each time (cache off: parse, RSA, the answer made), frame to answer bytes.
        var next = 0
        rows.append(("verify_token_unique", try Measurement.mallocsPerOperation(warmUp: 64, iterations: max(iterations / 4, 64)) {
            try HotPaths.frameToAnswer(paths.uniqueFrames[next % paths.uniqueFrames.count], paths.uncached, on: loop, into: &out)
            out.clear()
            next += 1
        }))

        // (c) Health through the server's connection handler on an EmbeddedChannel; and the
        // method's own share (dispatch only), to tell the two apart.
        var healthPayload = paths.healthFrame
        healthPayload.moveReaderIndex(forwardBy: 4)
        let health = try Request.decode(healthPayload)
        rows.append(("health.dispatch", Measurement.mallocsPerOperation(iterations: iterations) {
            _ = paths.cached.dispatch(health, on: loop)
        }))
        let channel = try paths.embeddedConnection()
        rows.append(("health_round_trip", try Measurement.mallocsPerOperation(iterations: iterations) {
            try HotPaths.healthRoundTrip(channel, paths.healthFrame)
        }))
        _ = try channel.finish()
        return rows
    }
}
