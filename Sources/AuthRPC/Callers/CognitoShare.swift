import Synchronization

/// Each caller's share of the outstanding-Cognito-call budget (SPEC §8), so that one
/// noisy caller cannot starve another's sign-ins.
///
/// With `k` callers holding calls, each may hold at most `(budget − reserve) / k`; the
/// reserve (an eighth of the budget) is never given to callers already holding calls,
/// so a caller arriving while others flood always finds room, and its arrival lowers
/// their share. A caller alone may use all but the reserve.
///
/// Counts account requests from admission to answer; the Cognito client's own limit
/// (`AUTHRPC_COGNITO_MAX_INFLIGHT`) stays the hard bound behind it. One lock, held for a
/// dictionary update, on account requests only.
final class CognitoShare: Sendable {
    let budget: Int
    let reserve: Int
    private let holding = Mutex<[CallerKey: Int]>([:])

    init(budget: Int) {
        self.budget = budget
        self.reserve = budget >= 8 ? budget / 8 : (budget > 1 ? 1 : 0)
    }

    /// Counts one more call for `caller`, or false when it is at its share.
    func enter(_ caller: CallerKey) -> Bool {
        holding.withLock { holding in
            let mine = holding[caller, default: 0]
            let callers = holding.count + (mine == 0 ? 1 : 0)
            let share = max(1, (budget - reserve) / callers)
            guard mine < share else { return false }
            holding[caller] = mine + 1
            return true
        }
    }

    func leave(_ caller: CallerKey) {
        holding.withLock { holding in
            guard let mine = holding[caller] else { return }
            holding[caller] = mine > 1 ? mine - 1 : nil
        }
    }

    /// Calls held by `caller` now.
    func held(by caller: CallerKey) -> Int { holding.withLock { $0[caller, default: 0] } }
}
