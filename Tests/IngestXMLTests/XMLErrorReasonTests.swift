import IngestTestSupport
import IngestXML
import XCTest

/// Each error reason, with the exact offset it must report: the first byte at which the input
/// can no longer be the beginning of a well-formed document (the length, for `.unexpectedEnd`).
/// Every case is checked whole, byte by byte and at every split point, and the offset is checked
/// to be exact: the input before it is a valid prefix, the input through it fails the same way.
final class XMLErrorReasonTests: XCTestCase {
    private let harness = XMLScanHarness()

    private func assertError(_ bytes: [UInt8], _ reason: XMLScanError.Reason, _ offset: Int,
                             file: StaticString = #filePath, line: UInt = #line) {
        let expected = XMLScanError(reason: reason, offset: offset)
        let cuttings = [("whole", [bytes[...]]), Cuttings.byteByByte(bytes)]
            + (0...bytes.count).map { ("split@\($0)", [bytes[..<$0], bytes[$0...]]) }
        for (name, pieces) in cuttings {
            XCTAssertEqual(harness.scan(pieces).error, expected, "\(debugText(bytes)) \(name)", file: file, line: line)
        }
        guard reason != .unexpectedEnd, offset <= bytes.count else { return }
        // The input before the offset is a valid beginning, or a whole document.
        if let before = harness.scan(Array(bytes[..<offset])).error {
            XCTAssertEqual(before, XMLScanError(reason: .unexpectedEnd, offset: offset),
                           "\(debugText(bytes)): the prefix before the error must be a valid beginning", file: file, line: line)
        }
    }

    private func assertError(_ text: String, _ reason: XMLScanError.Reason, _ offset: Int,
                             file: StaticString = #filePath, line: UInt = #line) {
        assertError(Array(text.utf8), reason, offset, file: file, line: line)
    }

    private func assertWellFormed(_ texts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for text in texts {
            XCTAssertNil(harness.scan(text).error, text, file: file, line: line)
        }
    }

    func testUnexpectedByte() {
        assertError("x<a/>", .unexpectedByte, 0)              // text before the root
        assertError("{}", .unexpectedByte, 0)
        assertError("< a/>", .unexpectedByte, 1)
        assertError("<1a/>", .unexpectedByte, 1)
        assertError("<a x/>", .unexpectedByte, 4)             // attribute without value
        assertError("<a x=1/>", .unexpectedByte, 5)           // unquoted value
        assertError(#"<a x="1"y="2"/>"#, .unexpectedByte, 8)  // no space between attributes
        assertError(#"<a x="<"/>"#, .unexpectedByte, 6)
        assertError("<a/ >", .unexpectedByte, 3)
        assertError("<a>&;</a>", .unexpectedByte, 4)
        assertError("<a>& </a>", .unexpectedByte, 4)
        assertError("<a>&lt </a>", .unexpectedByte, 6)
        assertError("<a></>", .unexpectedByte, 5)
        assertError("<a></a x>", .unexpectedByte, 7)
        assertError("<a><![cdata[x]]></a>", .unexpectedByte, 6)
        assertError("<![CDATA[x]]><a/>", .unexpectedByte, 2)  // CDATA outside the root
        assertError("<!x><a/>", .unexpectedByte, 2)
        assertError("<!-x--><a/>", .unexpectedByte, 3)
        assertError([0xEF, 0xBB, 0x3C], .unexpectedByte, 2)   // a broken BOM
        assertError([0xFE, 0xFF, 0x00, 0x3C], .unexpectedByte, 0)  // UTF-16 is not read
        assertError("<?xml?><a/>", .unexpectedByte, 5)
        assertError("<??><a/>", .unexpectedByte, 2)           // a processing instruction needs a target
        assertError("<? x?><a/>", .unexpectedByte, 2)
        assertError("<?xml version='1.0'encoding='UTF-8'?><a/>", .unexpectedByte, 19)
        assertError("<?xml version='2.0'?><a/>", .unexpectedByte, 15)
        assertError("<?xml version='1.'?><a/>", .unexpectedByte, 17)
        assertError("<?xml version=1.0?><a/>", .unexpectedByte, 14)
        assertError("<?xml encoding='UTF-8'?><a/>", .unexpectedByte, 6)
        assertError("<?xml version='1.0' standalone='maybe'?><a/>", .unexpectedByte, 32)
        assertError("<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>", .unexpectedByte, 37)
        assertError("<?xml version='1.0' encoding=''?><a/>", .unexpectedByte, 30)
        assertError("<?xml version='1.0' encoding='-utf8'?><a/>", .unexpectedByte, 30)
        assertError("<?xml version='1.0' ?>?<a/>", .unexpectedByte, 22)
        assertError("<?xml version=\"1.0'?><a/>", .unexpectedByte, 18)
    }

    func testUnexpectedEnd() {
        for text in ["", "   ", "<", "<a", "<a>", "<a/", "<a x", "<a x=", "<a x='1'", "<a>text", "<a></a", "<a><b/>",
                     "<!--", "<!-- x --", "<?pi", "<?pi x ?", "<?xml version='1.0'?>", "<a>&", "<a>&am", "<a>&#x4",
                     "<a><![CDATA[", "<a><![CDATA[x]]", "<!-- c --><?p?>", "<a></a><!--"] {
            assertError(text, .unexpectedEnd, text.utf8.count)
        }
        assertError([0xEF, 0xBB], .unexpectedEnd, 2)
        assertError([0xEF, 0xBB, 0xBF], .unexpectedEnd, 3)
        assertError([0x3C, 0x61, 0x3E, 0xC3], .unexpectedEnd, 4)  // inside a UTF-8 sequence
        assertError([0x3C, 0x61, 0x3E, 0xC3, 0xA9, 0xE2, 0x82], .unexpectedEnd, 7)
    }

    func testTrailingContent() {
        assertError("<a/>x", .trailingContent, 4)
        assertError("<a/><b/>", .trailingContent, 5)
        assertError("<a/></a>", .trailingContent, 5)
        assertError("<a/>&amp;", .trailingContent, 4)
        assertError("<a/><![CDATA[x]]>", .trailingContent, 6)
        assertError("<a/><!DOCTYPE a>", .trailingContent, 6)
        assertError([0x3C, 0x61, 0x2F, 0x3E, 0x00], .trailingContent, 4)
        assertError([0x3C, 0x61, 0x2F, 0x3E, 0xC3, 0xA9], .trailingContent, 4)
        assertWellFormed(["<a/> \n\t\r", "<a/><!-- c --><?p x?> "])
    }

    func testInvalidUTF8() {
        func doc(_ middle: [UInt8]) -> [UInt8] { Array("<a>".utf8) + middle + Array("</a>".utf8) }
        assertError(doc([0x80]), .invalidUTF8, 3)                 // stray continuation
        assertError(doc([0xC0, 0x80]), .invalidUTF8, 3)           // overlong lead bytes
        assertError(doc([0xE0, 0x80, 0x80]), .invalidUTF8, 4)     // overlong 3-byte
        assertError(doc([0xED, 0xA0, 0x80]), .invalidUTF8, 4)     // UTF-16 surrogate
        assertError(doc([0xF0, 0x8F, 0xBF, 0xBF]), .invalidUTF8, 4)
        assertError(doc([0xF4, 0x90, 0x80, 0x80]), .invalidUTF8, 4)  // above U+10FFFF
        assertError(doc([0xF5, 0x80, 0x80, 0x80]), .invalidUTF8, 3)
        assertError(doc([0xFF]), .invalidUTF8, 3)
        assertError(doc([0xC3, 0x28]), .invalidUTF8, 4)           // truncated sequences
        assertError(doc([0xE2, 0x82, 0x3C]), .invalidUTF8, 5)
        // Everywhere text may hold non-ASCII characters.
        assertError(Array("<a x='".utf8) + [0xC3, 0x41] + Array("'/>".utf8), .invalidUTF8, 7)
        assertError(Array("<!--".utf8) + [0xFF] + Array("--><a/>".utf8), .invalidUTF8, 4)
        assertError(Array("<?p ".utf8) + [0xE0, 0x9F] + Array("?><a/>".utf8), .invalidUTF8, 5)
        assertError(Array("<a><![CDATA[".utf8) + [0xBF] + Array("]]></a>".utf8), .invalidUTF8, 12)
        assertError(Array("<a".utf8) + [0xC3, 0xC3] + Array("/>".utf8), .invalidUTF8, 3)   // in a name
        assertError(Array("<".utf8) + [0xF8] + Array("/>".utf8), .invalidUTF8, 1)
        // The edges of each range are fine (and so is a BOM character inside content).
        for sequence: [UInt8] in [[0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
                                  [0xEF, 0xBF, 0xBD], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xEF, 0xBB, 0xBF]] {
            XCTAssertNil(harness.scan(doc(sequence)).error, "\(sequence)")
        }
    }

    func testInvalidCharacter() {
        assertError("<a>\u{1}</a>", .invalidCharacter, 3)
        assertError("<a>\u{0}</a>", .invalidCharacter, 3)
        assertError("<a>x\u{1F}</a>", .invalidCharacter, 4)
        assertError("<a x='\u{8}'/>", .invalidCharacter, 6)
        assertError("<!--\u{C}--><a/>", .invalidCharacter, 4)
        assertError("<a><![CDATA[\u{1B}]]></a>", .invalidCharacter, 12)
        assertError("<?p \u{7}?><a/>", .invalidCharacter, 4)
        assertError(Array("<a>".utf8) + [0xEF, 0xBF, 0xBE] + Array("</a>".utf8), .invalidCharacter, 5)  // U+FFFE
        assertError(Array("<a>".utf8) + [0xEF, 0xBF, 0xBF] + Array("</a>".utf8), .invalidCharacter, 5)  // U+FFFF
        assertWellFormed(["<a>\t\n\r\u{7F}\u{80}\u{9F}</a>", "<a x='\t\n\r'/>"])
    }

    func testMismatchedEndTag() {
        assertError("<a></b>", .mismatchedEndTag, 5)
        assertError("<a></ab>", .mismatchedEndTag, 6)
        assertError("<ab></a>", .mismatchedEndTag, 7)
        assertError("<ab></a >", .mismatchedEndTag, 7)
        assertError("<a><b></a></b>", .mismatchedEndTag, 8)
        assertError("<p:a xmlns:p='u'></a>", .mismatchedEndTag, 19)
        assertError("<p:a xmlns:p='u'></q:a>", .mismatchedEndTag, 19)
        assertError("<a></a:b>", .mismatchedEndTag, 6)
        assertError(Array("<a\u{E9}></a".utf8) + [0xC3, 0xA8, 0x3E], .mismatchedEndTag, 9)
        assertWellFormed(["<a></a >", "<a></a\n>", "<p:a xmlns:p='u'></p:a>", "<é></é>"])
    }

    func testUndefinedEntity() {
        assertError("<a>&x;</a>", .undefinedEntity, 4)
        assertError("<a>&l;</a>", .undefinedEntity, 5)
        assertError("<a>&ampx;</a>", .undefinedEntity, 7)
        assertError("<a>&quott;</a>", .undefinedEntity, 8)
        assertError("<a>&nbsp;</a>", .undefinedEntity, 4)
        assertError("<a>&Lt;</a>", .undefinedEntity, 4)
        assertError(Array("<a>&".utf8) + [0xC3, 0xA9] + Array(";</a>".utf8), .undefinedEntity, 4)
        assertError("<a x='&xxe;'/>", .undefinedEntity, 7)
        assertWellFormed(["<a>&lt;&gt;&amp;&apos;&quot;</a>", "<a x='&lt;&quot;'/>"])
    }

    func testInvalidCharacterReference() {
        assertError("<a>&#;</a>", .invalidCharacterReference, 5)
        assertError("<a>&#x;</a>", .invalidCharacterReference, 6)
        assertError("<a>&#a;</a>", .invalidCharacterReference, 5)
        assertError("<a>&#X41;</a>", .invalidCharacterReference, 5)
        assertError("<a>&#x4G;</a>", .invalidCharacterReference, 7)
        assertError("<a>&#0;</a>", .invalidCharacterReference, 6)
        assertError("<a>&#8;</a>", .invalidCharacterReference, 6)
        assertError("<a>&#xD800;</a>", .invalidCharacterReference, 10)
        assertError("<a>&#xFFFE;</a>", .invalidCharacterReference, 10)
        assertError("<a>&#x110000;</a>", .invalidCharacterReference, 11)  // certain at its 6th digit
        assertError("<a>&#1114112;</a>", .invalidCharacterReference, 11)
        assertError("<a>&#65 </a>", .invalidCharacterReference, 7)
        assertWellFormed(["<a>&#9;&#10;&#13;&#32;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;&#1114111;&#x0000041;</a>"])
    }

    func testDuplicateAttribute() {
        assertError("<a x='1' x='2'/>", .duplicateAttribute, 10)
        assertError("<a x='1' y='2' x ='3'/>", .duplicateAttribute, 16)
        assertError("<a xmlns:p='u' xmlns:p='u'/>", .duplicateAttribute, 22)
        assertError("<a xmlns='u' xmlns='v'/>", .duplicateAttribute, 18)
        assertWellFormed(["<a x='1' xy='2' y='3' X='4'/>", "<a p:x='1' x='2' xmlns:p='u'/>"])
    }

    func testUndeclaredPrefix() {
        assertError("<p:a/>", .undeclaredPrefix, 4)
        assertError("<p:a>", .undeclaredPrefix, 4)
        assertError("<a p:x='1'/>", .undeclaredPrefix, 10)
        assertError("<a p:x='1'>", .undeclaredPrefix, 10)
        assertError("<a><b xmlns:p='u'/><p:c/></a>", .undeclaredPrefix, 23)  // out of scope again
        assertError("<xmlns:a/>", .undeclaredPrefix, 8)
        assertWellFormed(["<p:a xmlns:p='u'/>", "<a p:x='1' xmlns:p='u'/>", "<a xmlns:p='u'><b><p:c p:d='1'/></b></a>",
                          "<a xml:lang='en'/>", "<xml:a/>", "<a xmlns:p='u'><p:b xmlns:p='v'/></a>"])
    }

    func testInvalidQualifiedName() {
        assertError("<:a/>", .invalidQualifiedName, 1)
        assertError("<a:/>", .invalidQualifiedName, 3)
        assertError("<a:b:c/>", .invalidQualifiedName, 4)
        assertError("<a:1/>", .invalidQualifiedName, 3)
        assertError("<a :x='1'/>", .invalidQualifiedName, 3)
        assertError("<a x:='1'/>", .invalidQualifiedName, 5)
        assertError("<?a:b x?><a/>", .invalidQualifiedName, 3)
        assertError("<a xmlns:='u'/>", .invalidQualifiedName, 9)
        assertError(Array("<a:".utf8) + [0xCC, 0x80] + Array("/>".utf8), .invalidQualifiedName, 3)  // U+0300...U+033F: never a start
    }

    func testInvalidNamespaceDeclaration() {
        assertError("<a xmlns:p=''/>", .invalidNamespaceDeclaration, 12)
        assertError("<a xmlns:xmlns='u'/>", .invalidNamespaceDeclaration, 14)
        assertError("<a xmlns:xml='u'/>", .invalidNamespaceDeclaration, 15)
        assertError("<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>", .invalidNamespaceDeclaration, 48)
        assertError("<a xmlns:p='http://www.w3.org/2000/xmlns/'/>", .invalidNamespaceDeclaration, 41)
        assertError("<a xmlns='http://www.w3.org/2000/xmlns/'/>", .invalidNamespaceDeclaration, 39)
        assertError("<a xmlns='http://www.w3.org/XML/1998/&#110;amespace'/>", .invalidNamespaceDeclaration, 51)
        assertWellFormed(["<a xmlns=''/>", "<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
                          "<a xmlns:p='http://www.w3.org/XML/1998/namespacex'/>", "<a xmlns:p='http://www.w3.org/2000/xmlns'/>"])
    }

    func testDoctypeNotAllowed() {
        assertError("<!DOCTYPE a><a/>", .doctypeNotAllowed, 2)
        assertError("<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", .doctypeNotAllowed, 35)
        assertError("<a><!DOCTYPE a></a>", .unexpectedByte, 5)
    }

    func testUnsupportedEncoding() {
        assertError("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", .unsupportedEncoding, 30)
        assertError("<?xml version='1.0' encoding='UTF-16'?><a/>", .unsupportedEncoding, 34)
        assertError("<?xml version='1.0' encoding='UTF-8x'?><a/>", .unsupportedEncoding, 35)
        assertError("<?xml version='1.0' encoding='UTF'?><a/>", .unsupportedEncoding, 33)
        assertError("<?xml version='1.0' encoding='utf8'?><a/>", .unsupportedEncoding, 33)
        assertWellFormed(["<?xml version='1.0' encoding='UTF-8'?><a/>", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>",
                          "<?xml version='1.0' encoding='Utf-8' standalone='no' ?><a/>", "<?xml version = '1.1'\n?><a/>",
                          "<?xml version='1.0' standalone=\"yes\"?><a/>"])
    }

    func testMisplacedXMLDeclaration() {
        assertError(" <?xml version='1.0'?><a/>", .misplacedXMLDeclaration, 6)
        assertError("<a/><?xml version='1.0'?>", .misplacedXMLDeclaration, 9)
        assertError("<a><?xml version='1.0'?></a>", .misplacedXMLDeclaration, 8)
        assertError("<?XML version='1.0'?><a/>", .misplacedXMLDeclaration, 5)
        assertError("<?xml version='1.0'?><?xml version='1.0'?><a/>", .misplacedXMLDeclaration, 26)
        assertError("<!-- c --><?xml?><a/>", .misplacedXMLDeclaration, 15)
        assertError([0xEF, 0xBB, 0xBF, 0x20] + Array("<?xml version='1.0'?><a/>".utf8), .misplacedXMLDeclaration, 9)
        assertWellFormed(["<?xml-stylesheet href='a'?><a/>", "<?xmlx?><a/>", "<a><?xml-x y?></a>"])
        XCTAssertNil(harness.scan([0xEF, 0xBB, 0xBF] + Array("<?xml version='1.0'?><a/>".utf8)).error)
    }

    func testCDATAEndInText() {
        assertError("<a>]]></a>", .cdataEndInText, 5)
        assertError("<a>x]]]></a>", .cdataEndInText, 7)
        assertWellFormed(["<a>]]</a>", "<a>] ]></a>", "<a>]]&gt;</a>", "<a>]></a>", "<a><![CDATA[]]]]><![CDATA[>]]></a>"])
    }

    func testDoubleHyphenInComment() {
        assertError("<!-- a -- b --><a/>", .doubleHyphenInComment, 9)
        assertError("<!-- a ---><a/>", .doubleHyphenInComment, 9)
        assertError("<a><!-----></a>", .doubleHyphenInComment, 9)
        assertWellFormed(["<!----><a/>", "<!-- - --><a/>", "<!---x--><a/>", "<a><!--\u{E9}-\u{E9}--></a>"])
    }

    func testDescriptionAndNames() {
        XCTAssertEqual(XMLScanError(reason: .undefinedEntity, offset: 1234).description, "undefined entity at byte 1234")
        XCTAssertEqual(XMLScanError.Reason.allCases.map(\.rawValue), [
            "unexpectedByte", "unexpectedEnd", "trailingContent", "invalidUTF8", "invalidCharacter", "mismatchedEndTag",
            "undefinedEntity", "invalidCharacterReference", "duplicateAttribute", "undeclaredPrefix", "invalidQualifiedName",
            "invalidNamespaceDeclaration", "doctypeNotAllowed", "unsupportedEncoding", "misplacedXMLDeclaration",
            "cdataEndInText", "doubleHyphenInComment", "depthLimitExceeded", "nameTooLong", "tooManyAttributes",
        ])
    }
}
