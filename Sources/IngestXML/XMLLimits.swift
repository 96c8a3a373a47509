/// The fixed bounds that keep the scanner's memory constant (allocated once, in `init`). Real
/// Connect messages stay far inside them: names under 40 bytes, paths under 10 levels deep, at
/// most four attributes per element.
public enum XMLLimits {
    /// Longest name (element, attribute, namespace prefix, processing-instruction target), in bytes.
    public static let maximumNameBytes = 256
    /// Most attributes in one start tag (namespace declarations included).
    public static let maximumAttributes = 64
    /// Room for the names of one start tag's attributes together, in bytes.
    public static let attributeNameBytes = 4096
    /// Room for the names of all open elements plus the prefixes they declare, in bytes.
    public static let openNameBytes = 8192
    /// Most `xmlns:prefix` declarations in scope at once.
    public static let maximumPrefixesInScope = 256
    /// Longest field value kept, in bytes (for `event`, including its `envelope-` prefix). One more
    /// than the log stores, so a longer value arrives at the log cut to this length and the log
    /// flags the record `fieldTruncated`; the scanner itself never grows a buffer.
    public static let fieldValueBytes = 1025
}
