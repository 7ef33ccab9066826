import Foundation
import XCTest

/// A `/metrics` body as a real Prometheus text parser reads it: `prometheus_client.parser`
/// from PyPI (scripts/install-deps), run as `python3 -c` on the scraped text.
struct PrometheusText {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Family name → type (`counter`, `gauge`, `histogram`, …).
    let types: [String: String]
    let samples: [Sample]

    private struct Parsed: Decodable {
        let types: [String: String]
        let samples: [Sample]
    }

    private static let script = #"""
import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("prometheus_client is not installed: run scripts/install-deps", file=sys.stderr)
    sys.exit(3)
types, samples = {}, []
for family in text_string_to_metric_families(sys.stdin.read()):
    types[family.name] = family.type
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps({"types": types, "samples": samples}))
"""#

    /// Throws when the parser rejects the text (or is not installed).
    init(parsing text: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailure(description: "prometheus_client.parser failed (\(process.terminationStatus)): \(problem)")
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: data)
        types = parsed.types
        samples = parsed.samples
    }

    struct ParseFailure: Error, CustomStringConvertible { let description: String }

    /// The value of the one sample named `name` whose labels include `labels`; nil if none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return matching.count == 1 ? matching[0].value : nil
    }

    /// Every sample named `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}
