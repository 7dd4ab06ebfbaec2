/// orch's one way of writing JSON: control-protocol messages, the state file,
/// `--log-format json` lines and `orch run`'s summary all go through it.
///
/// An `Encoder` that writes as it is called, in the order a type encodes its
/// fields (declaration order for synthesized `Codable`), so objects read as
/// documented (`{"ts":…,"process":…,"line":…}`) and the same value always gives
/// the same bytes. Optionals that are nil are left out; `/` is not escaped; a
/// non-finite number is written as null. It expects what synthesized conformances
/// do: each container used before the next one is asked for.
public enum JSONWriter {
    /// The JSON text of `value`, without a newline.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let stream = JSONStream()
        try stream.value(value, depth: 0)
        stream.close(deeperThan: 0)
        return stream.bytes
    }

    /// A JSON string literal of `text` (bytes that are not UTF-8 were already
    /// replaced by U+FFFD when the String was made).
    public static func quote(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONStream.appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The bytes written so far and the containers still open.
final class JSONStream {
    var bytes: [UInt8] = []
    /// Per open container: the byte that closes it, and whether it has an element yet.
    private var open: [(close: UInt8, hasElements: Bool)] = []

    init() {
        bytes.reserveCapacity(256)
    }

    func close(deeperThan depth: Int) {
        while open.count > depth, let last = open.popLast() { bytes.append(last.close) }
    }

    func openContainer(_ byte: UInt8, closedBy close: UInt8) {
        bytes.append(byte)
        open.append((close, false))
    }

    /// Starts an element of the container at `depth` (1 = the outermost).
    func element(depth: Int) {
        close(deeperThan: depth)
        guard depth > 0, depth <= open.count else { return }
        if open[depth - 1].hasElements { bytes.append(UInt8(ascii: ",")) } else { open[depth - 1].hasElements = true }
    }

    func key(_ key: String, depth: Int) {
        element(depth: depth)
        Self.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    func null() { bytes.append(contentsOf: "null".utf8) }
    func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func string(_ value: String) { Self.appendQuoted(value, to: &bytes) }
    func integer<T: BinaryInteger>(_ value: T) { bytes.append(contentsOf: String(value).utf8) }
    func double(_ value: Double) {
        if value.isFinite { bytes.append(contentsOf: value.description.utf8) } else { null() }
    }

    /// A value at the current position: a primitive directly, anything else by
    /// its own `encode(to:)`, whose containers are closed when it returns.
    func value<T: Encodable>(_ value: T, depth: Int) throws {
        switch value {
        case let text as String: string(text)
        case let flag as Bool: bool(flag)
        case let number as Int: integer(number)
        case let number as Int32: integer(number)
        case let number as Int64: integer(number)
        case let number as UInt32: integer(number)
        case let number as UInt64: integer(number)
        case let number as Double: double(number)
        default:
            let before = bytes.count
            try value.encode(to: JSONStreamEncoder(stream: self, depth: depth))
            close(deeperThan: depth)
            if bytes.count == before { bytes.append(contentsOf: "{}".utf8) }
        }
    }

    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

struct JSONStreamEncoder: Encoder {
    let stream: JSONStream
    /// Containers open when this value began.
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        stream.close(deeperThan: depth)
        stream.openContainer(UInt8(ascii: "{"), closedBy: UInt8(ascii: "}"))
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(stream: stream, depth: depth + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        stream.close(deeperThan: depth)
        stream.openContainer(UInt8(ascii: "["), closedBy: UInt8(ascii: "]"))
        return JSONUnkeyedContainer(stream: stream, depth: depth + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(stream: stream, depth: depth)
    }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let stream: JSONStream
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    func encodeNil(forKey key: Key) throws {
        stream.key(key.stringValue, depth: depth)
        stream.null()
    }

    func encode(_ value: Bool, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.bool(value) }
    func encode(_ value: String, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.string(value) }
    func encode(_ value: Double, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.double(value) }
    func encode(_ value: Float, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.double(Double(value)) }
    func encode(_ value: Int, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: Int8, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: Int16, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: Int32, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: Int64, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: UInt, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: UInt8, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: UInt16, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: UInt32, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }
    func encode(_ value: UInt64, forKey key: Key) throws { stream.key(key.stringValue, depth: depth); stream.integer(value) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        stream.key(key.stringValue, depth: depth)
        try stream.value(value, depth: depth)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        stream.key(key.stringValue, depth: depth)
        return JSONStreamEncoder(stream: stream, depth: depth).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        stream.key(key.stringValue, depth: depth)
        return JSONStreamEncoder(stream: stream, depth: depth).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        stream.key("super", depth: depth)
        return JSONStreamEncoder(stream: stream, depth: depth)
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        stream.key(key.stringValue, depth: depth)
        return JSONStreamEncoder(stream: stream, depth: depth)
    }
}

struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let stream: JSONStream
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    private(set) var count = 0

    init(stream: JSONStream, depth: Int) {
        self.stream = stream
        self.depth = depth
    }

    mutating func encodeNil() throws {
        stream.element(depth: depth)
        stream.null()
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        stream.element(depth: depth)
        try stream.value(value, depth: depth)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        stream.element(depth: depth)
        count += 1
        return JSONStreamEncoder(stream: stream, depth: depth).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        stream.element(depth: depth)
        count += 1
        return JSONStreamEncoder(stream: stream, depth: depth).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        stream.element(depth: depth)
        count += 1
        return JSONStreamEncoder(stream: stream, depth: depth)
    }
}

struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let stream: JSONStream
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    func encodeNil() throws { stream.null() }
    func encode(_ value: Bool) throws { stream.bool(value) }
    func encode(_ value: String) throws { stream.string(value) }
    func encode(_ value: Double) throws { stream.double(value) }
    func encode(_ value: Float) throws { stream.double(Double(value)) }
    func encode(_ value: Int) throws { stream.integer(value) }
    func encode(_ value: Int8) throws { stream.integer(value) }
    func encode(_ value: Int16) throws { stream.integer(value) }
    func encode(_ value: Int32) throws { stream.integer(value) }
    func encode(_ value: Int64) throws { stream.integer(value) }
    func encode(_ value: UInt) throws { stream.integer(value) }
    func encode(_ value: UInt8) throws { stream.integer(value) }
    func encode(_ value: UInt16) throws { stream.integer(value) }
    func encode(_ value: UInt32) throws { stream.integer(value) }
    func encode(_ value: UInt64) throws { stream.integer(value) }
    func encode<T: Encodable>(_ value: T) throws { try stream.value(value, depth: depth) }
}
