/// Runs one operation many times and counts its allocations on this thread.
enum Measurement {
    /// Allocations per call of `body`, after `warmUp` calls that may fill caches and grow
    /// buffers once. Exact: the counter counts every allocation of this thread.
    static func mallocsPerOperation(warmUp: Int = 200, iterations: Int, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<warmUp { try body() }
        let before = MallocCounter.count()
        for _ in 0..<iterations { try body() }
        return Double(MallocCounter.count() - before) / Double(iterations)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}

import Foundation
