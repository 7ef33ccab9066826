import XCTest
final class _PlaceholderWire: XCTestCase {}
