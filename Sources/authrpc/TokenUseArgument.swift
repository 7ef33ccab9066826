import ArgumentParser
import Wire

/// `--use any|id|access`: the proto's short names (`TokenUse.jsonName`, the same the JSON
/// answers print), never the wire numbers, in parsing and in `--help` alike.
///
/// A wrapper rather than a conformance of `TokenUse` itself: ArgumentParser shows the
/// default of a `RawRepresentable` enum by its raw value, which here is the wire number.
struct TokenUseArgument: ExpressibleByArgument, CaseIterable, Equatable {
    let tokenUse: TokenUse

    init(_ tokenUse: TokenUse) { self.tokenUse = tokenUse }

    init?(argument: String) {
        guard let use = TokenUse.allCases.first(where: { $0.jsonName == argument.lowercased() }) else { return nil }
        tokenUse = use
    }

    static var allCases: [TokenUseArgument] { TokenUse.allCases.map(Self.init) }

    var defaultValueDescription: String { tokenUse.jsonName }

    static var allValueStrings: [String] { allCases.map(\.defaultValueDescription) }

    static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.defaultValueDescription, $0.meaning) })
    }

    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    private var meaning: String {
        switch tokenUse {
        case .any: "an id or an access token"
        case .id: "an id token only"
        case .access: "an access token only"
        }
    }
}
