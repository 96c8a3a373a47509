import XCTest
// Placeholder until the module's owner lands real tests.
final class IngestLogTestsPlaceholder: XCTestCase { func testBuilds() {} }
