import Testing
@testable import OrchProtocol

/// OrchProtocol's JSON reader: what the control server and the client read, as
/// JSONDecoder read it before, and malformed or hostile text refused with an error.
@Suite struct JSONReaderTests {
    static func read<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try Wire.decode(type, from: Array(text.utf8)[...])
    }

    static func message<T: Decodable>(_ type: T.Type, _ text: String) -> String {
        do {
            _ = try read(type, text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func requestsAsClientsWriteThem() throws {
        let request = try Self.read(Request.self, #" { "id" : 3, "method":"signal", "params":{"names":["web","worker.2"],"signal":"HUP","extra":[1,{"a":null}]}, "x": true } "#)
        #expect(request.id == 3)
        #expect(request.method == "signal")
        #expect(request.jsonrpc == nil)
        #expect(request.params == Params(names: ["web", "worker.2"], signal: "HUP"))
        let bare = try Self.read(Request.self, #"{"method":"status","params":null,"id":null}"#)
        #expect(bare.id == nil && bare.params == nil)
    }

    @Test(arguments: [
        (#""a\"b\\c\/d\b\f\n\r\t""#, "a\"b\\c/d\u{8}\u{C}\n\r\t"),
        (#""\u00e9\u6F22 \ud83d\ude42""#, "é漢 🙂"),
        ("\"é ü 漢 🙂\"", "é ü 漢 🙂"),
        (#""\u0000""#, "\u{0}"),
    ])
    func stringsAreUnescaped(json: String, expected: String) throws {
        #expect(try Self.read(String.self, json) == expected)
        #expect(try Self.read(String.self, JSONWriter.quote(expected)) == expected)
    }

    @Test(arguments: [
        ("0", 0), ("-0", 0), ("42", 42), ("-9223372036854775808", Int.min), ("9223372036854775807", Int.max),
        ("1.0", 1), ("1e3", 1000), ("-2E+2", -200),
    ])
    func integersAreExact(json: String, expected: Int) throws {
        #expect(try Self.read(Int.self, json) == expected)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1.5", "1e99", "\"1\"", "true", "null", "01", "1.", "-", "+1", ".5", "1e"])
    func badIntegersAreRefused(json: String) {
        #expect(throws: JSONReadError.self) { try Self.read(Int.self, json) }
    }

    @Test func int32AndDoubles() throws {
        #expect(try Self.read([Int32].self, "[2147483647,-2147483648]") == [Int32.max, Int32.min])
        #expect(throws: JSONReadError.self) { try Self.read(Int32.self, "2147483648") }
        #expect(try Self.read([Double].self, "[0.25, -2.5e-8, 3, 1E2]") == [0.25, -2.5e-8, 3, 100])
    }

    @Test(arguments: [
        "", " ", "{", "{\"id\":1", "{\"id\":1,}", "[1,]", "[1 2]", "{\"id\" 1}", "{id:1}", "{\"method\":\"a\"} x",
        "\"unterminated", "\"tab\there\"", #""\x""#, #""\ud83d""#, #""\ud83d\u0041""#, #""\u12G4""#, "tru", "nul", "[nan]",
        "{\"method\":\"a\"}{}",
    ])
    func malformedTextIsRefused(json: String) {
        #expect(throws: JSONReadError.self) { try Self.read(RequestShapeForTests.self, json) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONReadError.self) { try Wire.decode(String.self, from: [0x22, 0xFF, 0xFE, 0x22][...]) }
    }

    @Test func wrongShapesSayWhere() throws {
        #expect(throws: JSONReadError.self) { try Self.read(Request.self, #"{"id":1}"#) }
        do {
            _ = try Self.read(Request.self, #"{"id":1,"method":"scale","params":{"count":"three"}}"#)
            Issue.record("a string count was accepted")
        } catch let error as JSONReadError {
            #expect(error.description == "params.count: expected Int, found a string")
        }
        do {
            _ = try Self.read(Response.self, #"{"result":{"processes":[{"name":"web"}]}}"#)
            Issue.record("a status row without its fields was accepted")
        } catch let error as JSONReadError {
            #expect(error.description == "result.processes.[0].process: missing")
        }
    }

    @Test func deepNestingIsRefusedWithoutRecursion() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.message([Int].self, deep).hasPrefix("nested deeper than \(JSONReader.maxDepth)"))
        // As deep as allowed parses; it is only the wrong shape for [Int].
        let allowed = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(Self.message([Int].self, allowed) == "[0]: expected Int, found an array")
        #expect(try Self.read([[[Int]]].self, "[[[1],[]],[]]") == [[[1], []], []])
    }

    @Test func stateFileReadsBack() {
        let endpoint = ControlEndpoint(pid: 12, host: "127.0.0.1", port: 40_000, token: "t0k", project: "/srv/app \"x\"", socket: "/run/orch.sock")
        #expect(StateFileFormat.decode(StateFileFormat.encode(endpoint)) == endpoint)
        #expect(StateFileFormat.decode(Array("{\"pid\":1}".utf8)) == nil)
    }
}

struct RequestShapeForTests: Decodable {
    var id: Int?
    var method: String
}

extension JSONReaderTests {
    /// Elements are added in place: a long array or object costs time linear in its length.
    @Test func longArraysAndObjectsAreRead() throws {
        let count = 200_000
        let numbers = try Self.read([Int].self, "[" + Array(repeating: "7", count: count).joined(separator: ",") + "]")
        #expect(numbers.count == count && numbers.allSatisfy { $0 == 7 })
        let keys = (0..<count).map { "\"k\($0)\":0" }.joined(separator: ",")
        let request = try Self.read(Request.self, "{" + keys + ",\"method\":\"status\",\"id\":1,\"id\":2}")
        #expect(request.method == "status" && request.id == 2)
    }
}
