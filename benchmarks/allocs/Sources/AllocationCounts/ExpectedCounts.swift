import Foundation

/// The committed allocation counts (`expected-mallocs.txt`): one `name count` line per
/// path, `#` comments. A count above its line fails the run; below it, the run says so,
/// and `--update` writes the new figures (commit them with the change that earned them).
struct ExpectedCounts {
    var counts: [String: Double]
    let path: String

    init(path: String) throws {
        self.path = path
        counts = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            counts[String(parts[0])] = value
        }
    }

    static func write(_ measured: [(name: String, perOp: Double)], to path: String) throws {
        var text = """
            # Allocations per operation on the hot paths, exact (scripts/bench-allocs,
            # docs/BENCHMARKS.md). scripts/bench-allocs fails when a path allocates more than
            # its line; after an improvement, run it with --update and commit this file.

            """
        for row in measured { text += "\(row.name) \(Measurement.format(row.perOp))\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
