// The decisions about SPEC §4's enums that the proto cannot carry; the enums themselves
// are generated (Generated/Messages.swift).

extension Status: CustomStringConvertible {
    /// The proto enum name, as clients in other languages print it.
    public var description: String { protoName }

    /// A status number from a newer peer reads as `.internal`: never as success.
    static var fallbackForUnknownWireValue: Status { .internal }
}

extension TokenUse {
    /// A token use from a newer peer reads as `.any`, which asks for no particular use.
    static var fallbackForUnknownWireValue: TokenUse { .any }
}
