/// orch's one way of reading JSON: control-protocol lines and the state file.
///
/// It replaces FoundationEssentials' `JSONDecoder`, whose first use cost the
/// `orch ctl` client about 7 % of its start-up (and kept OrchProtocol importing
/// FoundationEssentials). It parses the whole text (RFC 8259) into a small tree,
/// then a `Decoder` reads the tree as synthesized `Decodable` conformances ask.
/// What it accepts matches what JSONDecoder accepted for orch's types: unknown
/// keys are ignored, a missing or null optional is nil, an integer must be exact
/// and in range (`1.0` reads as 1, `1.5` or `1e99` for an Int is an error), text
/// that is not UTF-8 is an error. Nesting is bounded (`maxDepth`) and parsing is
/// iterative, so a hostile line of `[[[[…` costs no stack.
public enum JSONReader {
    /// Deepest nesting of arrays and objects accepted; orch's messages use 4.
    public static let maxDepth = 64

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws(JSONReadError) -> T {
        let value = try JSONParser.parse(bytes)
        do {
            return try T(from: JSONTreeDecoder(value: value, path: []))
        } catch let error as JSONReadError {
            throw error
        } catch {
            throw JSONReadError("\(error)")
        }
    }
}

/// Why a text could not be read: where, and what was expected.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A parsed JSON value. Objects keep their members in order, in an array: orch's
/// objects have a dozen keys at most and a type asks for each of its keys once,
/// so a search from the end (a key given twice takes its last value, as
/// JSONDecoder did) costs less than hashing every key into a dictionary.
indirect enum JSONValue {
    case null
    case bool(Bool)
    /// The number's text, converted when a type asks for it.
    case number(ArraySlice<UInt8>)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

/// RFC 8259 parser with an explicit stack instead of recursion.
struct JSONParser {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    private init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONReadError) -> JSONValue {
        var parser = JSONParser(bytes)
        let value = try parser.document()
        parser.skipWhitespace()
        guard parser.index == bytes.endIndex else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// An array or object being filled, changed in place on the stack so that
    /// adding an element never copies the ones before it.
    private struct Open {
        let isArray: Bool
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        /// The key of the member whose value comes next.
        var key = ""

        var closer: UInt8 { isArray ? UInt8(ascii: "]") : UInt8(ascii: "}") }
        var value: JSONValue { isArray ? .array(elements) : .object(members) }

        mutating func append(_ value: JSONValue) {
            if isArray { elements.append(value) } else { members.append((key, value)) }
        }
    }

    private mutating func document() throws(JSONReadError) -> JSONValue {
        var stack: [Open] = []
        while true {
            skipWhitespace()
            var value: JSONValue
            // Open containers until a value is complete.
            switch peek() {
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    guard stack.count < JSONReader.maxDepth else { throw error("nested deeper than \(JSONReader.maxDepth)") }
                    stack.append(Open(isArray: true))
                    continue
                }
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    value = .object([])
                } else {
                    guard stack.count < JSONReader.maxDepth else { throw error("nested deeper than \(JSONReader.maxDepth)") }
                    stack.append(Open(isArray: false, key: try member()))
                    continue
                }
            default:
                value = try scalar()
            }
            // Add the value to the innermost container; close every container that ends here.
            while true {
                guard !stack.isEmpty else { return value }
                let last = stack.count - 1
                stack[last].append(value)
                skipWhitespace()
                let next = peek()
                if next == UInt8(ascii: ",") {
                    index += 1
                    if !stack[last].isArray {
                        skipWhitespace()
                        stack[last].key = try member()
                    }
                    break
                }
                guard next == stack[last].closer else { throw error(stack[last].isArray ? "expected ',' or ']'" : "expected ',' or '}'") }
                index += 1
                value = stack.removeLast().value
            }
        }
    }

    /// `"key":`, the parser left before the member's value.
    private mutating func member() throws(JSONReadError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try string()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        return key
    }

    private mutating func scalar() throws(JSONReadError) -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of the text") }
        switch byte {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(JSONReadError) {
        for expected in word.utf8 {
            guard let byte = peek() else { throw error("unexpected end of the text") }
            guard byte == expected else { throw error("unexpected word") }
            index += 1
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(JSONReadError) -> ArraySlice<UInt8> {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw error("expected a digit") }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("expected a digit after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("expected a digit in the exponent") }
        }
        return bytes[start..<index]
    }

    private mutating func digits() -> Int {
        let start = index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func string() throws(JSONReadError) -> String {
        index += 1  // the opening quote
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: text, as: UTF8.self) else { throw error("a string that is not UTF-8") }
                return string
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { throw error("unterminated string") }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"): text.append(contentsOf: String(try unicodeEscape()).utf8)
                default: throw error("unknown escape")
                }
            case 0..<0x20:
                throw error("a control character in a string")
            default:
                text.append(byte)
            }
        }
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair.
    private mutating func unicodeEscape() throws(JSONReadError) -> Character {
        let first = try hex4()
        if (0xD800..<0xDC00).contains(first) {
            guard peek() == UInt8(ascii: "\\") else { throw error("a lone surrogate") }
            index += 1
            guard peek() == UInt8(ascii: "u") else { throw error("a lone surrogate") }
            index += 1
            let second = try hex4()
            guard (0xDC00..<0xE000).contains(second) else { throw error("a lone surrogate") }
            let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let value = Unicode.Scalar(scalar) else { throw error("a lone surrogate") }
            return Character(value)
        }
        guard let value = Unicode.Scalar(first) else { throw error("a lone surrogate") }
        return Character(value)
    }

    private mutating func hex4() throws(JSONReadError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw error("unterminated string") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("expected a hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func error(_ what: String) -> JSONReadError {
        JSONReadError("\(what) at byte \(index - bytes.startIndex + 1)")
    }
}

// MARK: - Decoding the tree

/// A key of an array element in a coding path.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private func describe(_ path: [any CodingKey]) -> String {
    path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

private func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> JSONReadError {
    let found: String
    switch value {
    case .null: found = "null"
    case .bool: found = "a boolean"
    case .number(let text): found = "the number \(String(decoding: text, as: UTF8.self))"
    case .string: found = "a string"
    case .array: found = "an array"
    case .object: found = "an object"
    }
    return JSONReadError("\(describe(path)): expected \(type), found \(found)")
}

/// The conversions every container shares.
private enum Convert {
    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws(JSONReadError) -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws(JSONReadError) -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path) }
        return text
    }

    static func double(_ value: JSONValue, _ path: [any CodingKey]) throws(JSONReadError) -> Double {
        guard case .number(let text) = value, let number = Double(String(decoding: text, as: UTF8.self)), number.isFinite else {
            throw mismatch(Double.self, value, path)
        }
        return number
    }

    /// Exact: digits are read with overflow checks; a fraction or exponent goes
    /// through Double and must give a whole number in range.
    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) throws(JSONReadError) -> T {
        guard case .number(let text) = value else { throw mismatch(type, value, path) }
        let negative = text.first == UInt8(ascii: "-")
        let digits = negative ? text.dropFirst() : text
        if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            var result: T = 0
            for digit in digits {
                let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
                let step = T(digit - UInt8(ascii: "0"))
                let (next, overflow2) = negative ? times10.subtractingReportingOverflow(step) : times10.addingReportingOverflow(step)
                guard !overflow1, !overflow2 else { throw JSONReadError("\(describe(path)): \(String(decoding: text, as: UTF8.self)) does not fit in \(type)") }
                result = next
            }
            return result
        }
        guard let number = Double(String(decoding: text, as: UTF8.self)), let exact = T(exactly: number) else {
            throw JSONReadError("\(describe(path)): \(String(decoding: text, as: UTF8.self)) is not a whole number that fits in \(type)")
        }
        return exact
    }
}

private struct JSONTreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, path: [any CodingKey]) {
        self.value = value
        self.codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(ObjectContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, value, codingPath) }
        return ArrayContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }
    func contains(_ key: Key) -> Bool { member(key.stringValue) != nil }

    /// The last member named `name`.
    private func member(_ name: String) -> JSONValue? {
        members.last { $0.key == name }?.value
    }

    private func value(_ key: Key) throws(JSONReadError) -> JSONValue {
        guard let value = member(key.stringValue) else { throw JSONReadError("\(describe(codingPath + [key])): missing") }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Convert.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Convert.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Convert.double(value(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Convert.double(value(key), codingPath + [key])) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Convert.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Convert.integer(type, value(key), codingPath + [key]) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: JSONTreeDecoder(value: value(key), path: codingPath + [key]))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONTreeDecoder(value: value(key), path: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONTreeDecoder(value: value(key), path: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONTreeDecoder(value: member("super") ?? .null, path: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONTreeDecoder(value: member(key.stringValue) ?? .null, path: codingPath + [key])
    }
}

private struct ArrayContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws(JSONReadError) -> (JSONValue, [any CodingKey]) {
        guard currentIndex < elements.count else { throw JSONReadError("\(describe(codingPath)): fewer elements than expected") }
        defer { currentIndex += 1 }
        return (elements[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { throw JSONReadError("\(describe(codingPath)): fewer elements than expected") }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(); return try Convert.bool(v, p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(); return try Convert.string(v, p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(); return try Convert.double(v, p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(); return Float(try Convert.double(v, p)) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(); return try Convert.integer(type, v, p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(); return try Convert.integer(type, v, p) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, p) = try next()
        return try T(from: JSONTreeDecoder(value: v, path: p))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next()
        return try JSONTreeDecoder(value: v, path: p).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next()
        return try JSONTreeDecoder(value: v, path: p).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, p) = try next()
        return JSONTreeDecoder(value: v, path: p)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Convert.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Convert.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Convert.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Convert.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Convert.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Convert.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Convert.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Convert.integer(type, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONTreeDecoder(value: value, path: codingPath))
    }
}
