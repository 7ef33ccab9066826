/// A value that must never reach a log, an error message or `--help` (SPEC §7).
/// Printing it in any way prints a placeholder; only `reveal` gives the value,
/// so every use of the real value is greppable.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
