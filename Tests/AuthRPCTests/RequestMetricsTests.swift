@testable import AuthRPC
import Foundation
import NIOCore
import Wire
import XCTest

/// The per-thread request tallies: exact sums across threads, bounded labels.
final class RequestMetricsTests: XCTestCase {
    private static func call(_ method: Method?) -> Call {
        Call(method: method, requestID: 1, connection: ConnectionInfo(), started: .now())
    }

    func testCountsFromManyThreadsSumExactly() {
        let metrics = RequestMetrics()
        let threads = 4, perThread = 20_000
        let ok = Response(id: 1)
        let bad = Response(id: 1, status: .unauthenticated, errorType: "BadSignature")
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let call = Self.call(.verifyToken)
                _ = metrics.admit(call, request: Request(id: 1))
                metrics.completed(call, answer: i % 4 == 0 ? bad : ok, duration: .microseconds(Int64(t * 100 + 30)),
                                  admitted: true)
            }
        }
        let totals = metrics.totals()
        let verify = RequestLabels.method(.verifyToken)
        let byLabels = Dictionary(uniqueKeysWithValues: totals.requests.map {
            ("\(RequestLabels.methods[$0.method])|\(RequestLabels.statuses[$0.status])|\(RequestLabels.errorTypes[$0.errorType])", $0.count)
        })
        XCTAssertEqual(byLabels, ["VerifyToken|OK|": Int64(threads * perThread * 3 / 4),
                                  "VerifyToken|UNAUTHENTICATED|BadSignature": Int64(threads * perThread / 4)])
        XCTAssertEqual(totals.durations.count, 1)
        XCTAssertEqual(totals.durations[0].method, verify)
        XCTAssertEqual(totals.durations[0].buckets.reduce(0, +), Int64(threads * perThread))
        XCTAssertEqual(totals.inflight, 0)
    }

    func testLabelsComeFromFixedSets() {
        let metrics = RequestMetrics()
        metrics.completed(Self.call(nil), answer: Response(status: .invalidArgument, errorType: "MalformedRequest"),
                          duration: .milliseconds(1), admitted: false)
        // A name no one listed (Cognito may invent some): "other", never the text itself.
        metrics.completed(Self.call(.register), answer: Response(status: .internal, errorType: "alice@example.com"),
                          duration: .seconds(20), admitted: false)
        let labels = metrics.totals().requests.map {
            [RequestLabels.methods[$0.method], RequestLabels.statuses[$0.status], RequestLabels.errorTypes[$0.errorType]]
        }
        XCTAssertEqual(Set(labels), [["unknown", "INVALID_ARGUMENT", "MalformedRequest"], ["Register", "INTERNAL", "other"]])
        // 20 s is past the last bound: +Inf.
        let register = metrics.totals().durations.first { $0.method == RequestLabels.method(.register) }
        XCTAssertEqual(register?.buckets.last, 1)
        XCTAssertEqual(Set(RequestLabels.errorTypes).count, RequestLabels.errorTypes.count, "no name twice")
    }

    func testInflightIsAdmittedMinusAnswered() {
        let metrics = RequestMetrics()
        for _ in 0..<3 { _ = metrics.admit(Self.call(.authenticate), request: Request(id: 1)) }
        metrics.completed(Self.call(.authenticate), answer: Response(), duration: .milliseconds(5), admitted: true)
        // An answer to a request this interceptor never admitted (an undecodable frame).
        metrics.completed(Self.call(nil), answer: Response(status: .invalidArgument), duration: .zero, admitted: false)
        XCTAssertEqual(metrics.totals().inflight, 2)
    }

    func testDurationRendering() {
        XCTAssertEqual(MetricsEndpoint.seconds(25_000), "0.000025")
        XCTAssertEqual(MetricsEndpoint.seconds(1_000_000_000), "1")
        XCTAssertEqual(MetricsEndpoint.seconds(2_500_000_000), "2.5")
    }
}
