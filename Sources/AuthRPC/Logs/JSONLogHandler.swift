#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// `AUTHRPC_LOG_FORMAT=json` (SPEC §9): every record is one JSON object on one line, so
/// `jq` and log shippers read the log without a parser of our text format.
///
/// `{"ts":"2026-01-02T03:04:05.678901Z","level":"info","label":"authrpc.access","msg":"…",…}`:
/// the fixed keys first, then the metadata flattened into the same object (a nested
/// dictionary's keys joined with `.`, a list as an array of strings, every value a
/// string). A metadata key equal to a fixed key is written as `meta.<key>`, so the fixed
/// keys always mean the same thing. The line is built whole and written with one `write`,
/// so lines of different threads never interleave (no lock).
public struct JSONLogHandler: LogHandler {
    public typealias Sink = @Sendable (_ line: [UInt8]) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: Sink

    /// Writes to standard error.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label, sink: Self.writeToStandardError)
    }

    /// `sink` receives each line, newline included.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let fixedKeys: Set<String> = ["ts", "level", "label", "msg", "error"]

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }

        var line = JSONLine()
        line.field("ts", Self.timestamp())
        line.field("level", event.level.rawValue)
        line.field("label", label)
        line.field("msg", event.message.description)
        if let error = event.error { line.field("error", "\(error)") }
        for key in merged.keys.sorted() {
            let name = Self.fixedKeys.contains(key) ? "meta.\(key)" : key
            line.value(name, merged[key]!)
        }
        sink(line.finish())
    }

    /// Now, UTC, microseconds: RFC 3339 as every log tool reads it.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1000), 6))Z"
    }

    @Sendable static func writeToStandardError(_ line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}

/// One JSON object being written as UTF-8 bytes: the keys in the order given, every
/// string escaped as RFC 8259 requires (quotes, backslashes, control characters).
struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    init() { bytes.reserveCapacity(256) }

    mutating func field(_ key: String, _ text: String) {
        self.key(key)
        string(text)
    }

    /// A metadata value: a string, a dictionary flattened to `key.sub`, a list as an array.
    mutating func value(_ key: String, _ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text): field(key, text)
        case .stringConvertible(let convertible): field(key, convertible.description)
        case .dictionary(let dictionary):
            for sub in dictionary.keys.sorted() { self.value("\(key).\(sub)", dictionary[sub]!) }
        case .array(let items):
            self.key(key)
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(Self.flat(item))
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func flat(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .dictionary, .array: value.description
        }
    }

    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ text: String) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
