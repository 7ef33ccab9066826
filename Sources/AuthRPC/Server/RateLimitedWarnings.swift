import Logging
import Synchronization

/// Warnings a client can provoke at will — a failing Cognito call, an oversize frame, a
/// refused connection — written at most about once a second per kind: the first of each
/// second as it is, the rest counted and summed up in one line when that second is over.
/// A flood of bad requests then costs a couple of log lines a second, not a line a
/// request (an attack that writes 53 MB of log in ten minutes fills disks instead of
/// telling anyone anything). Per-request detail belongs at `debug`.
final class RateLimitedWarnings: Sendable {
    private struct Window {
        var ends: ContinuousClock.Instant
        var suppressed = 0
    }

    private let logger: Logger
    private let interval: Duration
    private let windows = Mutex<[String: Window]>([:])
    /// Where a window's summary waits for the window to end.
    private let background: BackgroundWork

    init(logger: Logger, interval: Duration = .seconds(1), background: BackgroundWork) {
        self.logger = logger
        self.interval = interval
        self.background = background
    }

    /// Writes `message` unless one of the same kind was written less than `interval` ago;
    /// then only counts it. `kind` refines the message (say an `error_type`); it must come
    /// from a small fixed set, as every kind is remembered.
    func warn(_ message: String, level: Logger.Level = .warning, kind: String = "", metadata: Logger.Metadata = [:]) {
        let key = kind.isEmpty ? message : message + "\u{1F}" + kind
        let now = ContinuousClock.now
        let (write, summaryDue) = windows.withLock { windows -> (Bool, ContinuousClock.Instant?) in
            guard var window = windows[key], now < window.ends else {
                windows[key] = Window(ends: now + interval)
                return (true, nil)
            }
            window.suppressed += 1
            windows[key] = window
            return (false, window.suppressed == 1 ? window.ends : nil)
        }
        if write {
            logger.log(level: level, "\(message)", metadata: metadata)
        }
        if let summaryDue {
            // At shutdown the sleep is cancelled and the summary written at once.
            let scheduled = background.submit {
                try? await Task.sleep(until: summaryDue, clock: .continuous)
                self.summarise(key, message: message, level: level, kind: kind)
            }
            if !scheduled { summarise(key, message: message, level: level, kind: kind) }
        }
    }

    private func summarise(_ key: String, message: String, level: Logger.Level, kind: String) {
        let count = windows.withLock { windows -> Int in
            let count = windows[key]?.suppressed ?? 0
            windows[key] = nil
            return count
        }
        guard count > 0 else { return }
        var metadata: Logger.Metadata = ["repeated": "\(count)", "within_ms": "\(interval.components.seconds * 1000)"]
        if !kind.isEmpty { metadata["kind"] = "\(kind)" }
        logger.log(level: level, "\(message) (repeats not written)", metadata: metadata)
    }
}
